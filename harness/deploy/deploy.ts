/**
 * `deploy`: the same steps on every target —
 * stack name check → code bucket → uploads → change set → execute and follow → outputs.
 */
import { readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../support/errors.js';
import { TEMPLATE_PATH } from '../support/paths.js';
import { formatDuration, type Reporter } from '../support/terminal.js';
import { clientConfig, s3ClientConfig } from '../targets/clients.js';
import type { Connection } from '../targets/types.js';
import { collectArtifacts, type Artifact } from './artifacts.js';
import { createChangeSet, deleteChangeSet, summarizeChanges } from './change-set.js';
import { defaultCodeBucket, ensureBucket, uploadArtifacts } from './code-bucket.js';
import { followOperation, watchStack, LOCAL_POLL_INTERVAL_MS } from './operation.js';
import { rootCause, type WatchedEvent } from './stack-events.js';
import { assertFixedNamesFree } from './preflight.js';
import { assertValidStackName } from './stack-name.js';
import { DEAD_ON_ARRIVAL, describeStack, isInProgress, listResourcesDeep, outputsOf } from './stacks.js';

/** CloudFormation's limit for TemplateBody; larger templates need a TemplateURL. */
const MAX_TEMPLATE_BODY_BYTES = 51_200;

export interface DeployOptions {
  connection: Connection;
  stackName: string;
  /** Default: {@link defaultCodeBucket}. */
  codeBucket?: string;
  codeKeyPrefix: string;
  /** Where the function zips are (default dist/functions). */
  artifactsDir?: string;
  templatePath?: string;
  /** The nested config-helper template to upload (default: the repository's). */
  nestedTemplatePath?: string;
  reporter: Reporter;
  pollIntervalMs?: number;
  timeoutMs?: number;
}

export interface DeployResult {
  stackName: string;
  stackId: string;
  status: string;
  /** False when the change set was empty: nothing was executed. */
  changed: boolean;
  outputs: Record<string, string>;
  codeBucket: string;
  uploaded: string[];
  unchanged: string[];
  /** Functions whose code was pushed directly because only their zip changed. */
  updatedFunctions: string[];
  durationMs: number;
}

export async function deployStack(options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const { connection, stackName, codeKeyPrefix, reporter } = options;
  const { paint } = reporter;
  assertValidStackName(stackName);
  const templatePath = options.templatePath ?? TEMPLATE_PATH;
  const templateBody = readTemplate(templatePath);
  const artifacts = collectArtifacts(codeKeyPrefix, options.artifactsDir, options.nestedTemplatePath);
  const pollIntervalMs = options.pollIntervalMs ?? (connection.local ? LOCAL_POLL_INTERVAL_MS : 2000);
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;

  const cfn = new CloudFormationClient(clientConfig(connection));
  const s3 = new S3Client(s3ClientConfig(connection));
  const lambda = new LambdaClient(clientConfig(connection));
  try {
    reporter.info(`${paint('bold', 'Deploying')} stack ${paint('cyan', stackName)} to ${connection.description}`);

    const codeBucket = options.codeBucket ?? (await defaultCodeBucket(connection));
    const created = await ensureBucket(s3, codeBucket, connection.region);
    const { uploaded, unchanged } = await uploadArtifacts(s3, codeBucket, artifacts);
    reporter.info(
      `  code bucket ${codeBucket}${created ? ' (created)' : ''}: ` +
        `${uploaded.length} uploaded${uploaded.length ? ` (${uploaded.map((a) => a.key).join(', ')})` : ''}, ${unchanged.length} unchanged`,
    );

    let existing = await describeStack(cfn, stackName);
    if (existing && isInProgress(existing.StackStatus) && existing.StackStatus !== 'REVIEW_IN_PROGRESS') {
      throw new UserError(`stack ${stackName} is busy (${existing.StackStatus}); wait until it settles and deploy again`);
    }
    if (existing && DEAD_ON_ARRIVAL.has(existing.StackStatus ?? '')) {
      reporter.warn(`stack ${stackName} is ${existing.StackStatus} after a failed first create; AWS only allows deleting it, so it is deleted and created again`);
      await deleteDeadStack(cfn, existing, { reporter, pollIntervalMs, timeoutMs });
      existing = undefined;
    }
    const type = !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
    if (type === 'CREATE') await assertFixedNamesFree(connection, stackName, templateBody);

    const changeSet = await createChangeSet(cfn, {
      stackName,
      type,
      templateBody,
      parameters: [
        { ParameterKey: 'CodeBucket', ParameterValue: codeBucket },
        { ParameterKey: 'CodeKeyPrefix', ParameterValue: codeKeyPrefix },
      ],
      pollIntervalMs,
      timeoutMs,
    });

    let final: Stack | undefined;
    if (changeSet.empty) {
      await deleteChangeSet(cfn, changeSet.changeSetId, changeSet.stackId);
      final = await describeStack(cfn, changeSet.stackId);
      reporter.info(`  change set: no changes`);
    } else {
      reporter.info(`  change set: ${summarizeChanges(changeSet.changes)}`);
      const watcher = await watchStack(cfn, changeSet.stackId, reporter);
      await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.changeSetId, StackName: changeSet.stackId }));
      const result = await followOperation(cfn, changeSet.stackId, watcher, { pollIntervalMs, timeoutMs, reporter });
      final = result.stack;
      if (result.status !== 'CREATE_COMPLETE' && result.status !== 'UPDATE_COMPLETE') {
        throw deployFailure(stackName, result.status, result.events, reporter);
      }
    }
    if (!final) throw new Error(`stack ${stackName} disappeared during the deploy`);

    // The template names the zips by a fixed key, so CloudFormation sees no change
    // when only the code changed: push new code to the functions directly.
    const updatedFunctions = type === 'UPDATE' ? await pushChangedCode(cfn, lambda, changeSet.stackId, templateBody, artifacts, codeBucket) : [];
    if (updatedFunctions.length > 0) reporter.info(`  new code pushed to ${updatedFunctions.join(', ')}`);

    const durationMs = Date.now() - started;
    const status = final.StackStatus ?? 'UNKNOWN';
    reporter.info(
      changeSet.empty && updatedFunctions.length === 0
        ? `${paint('green', '✓')} stack ${stackName} is up to date (${status}, nothing to change) — ${formatDuration(durationMs)}`
        : `${paint('green', '✓')} stack ${stackName} ${status} in ${formatDuration(durationMs)}`,
    );
    return {
      stackName,
      stackId: final.StackId ?? changeSet.stackId,
      status,
      changed: !changeSet.empty,
      outputs: outputsOf(final),
      codeBucket,
      uploaded: uploaded.map((a) => a.key),
      unchanged: unchanged.map((a) => a.key),
      updatedFunctions,
      durationMs,
    };
  } finally {
    cfn.destroy();
    s3.destroy();
    lambda.destroy();
  }
}

function readTemplate(templatePath: string): string {
  // Sent as read: the bytes that reach CloudFormation are the bytes in the repository.
  const body = readFileSync(templatePath, 'utf8');
  if (Buffer.byteLength(body) > MAX_TEMPLATE_BODY_BYTES) {
    throw new UserError(`${templatePath} is larger than CloudFormation's ${MAX_TEMPLATE_BODY_BYTES}-byte TemplateBody limit`);
  }
  return body;
}

function deployFailure(stackName: string, status: string, events: WatchedEvent[], reporter: Reporter): UserError {
  const cause = rootCause(events);
  if (!cause) return new UserError(`deploy of stack ${stackName} failed: the stack is ${status} (no failed resource reported)`);
  const what = `${cause.path} (${cause.ResourceType})`;
  const reason = cause.ResourceStatusReason ?? 'no reason given';
  reporter.info(`${reporter.paint('red', '✗')} ${what}: ${reason}`);
  return new UserError(`deploy of stack ${stackName} failed, now ${status}: ${what} ${cause.ResourceStatus}: ${reason}`);
}

async function deleteDeadStack(
  cfn: CloudFormationClient,
  stack: Stack,
  options: { reporter: Reporter; pollIntervalMs: number; timeoutMs: number },
): Promise<void> {
  const stackId = stack.StackId ?? stack.StackName ?? '';
  const watcher = await watchStack(cfn, stackId, options.reporter);
  await cfn.send(new DeleteStackCommand({ StackName: stackId }));
  const result = await followOperation(cfn, stackId, watcher, options);
  if (result.status !== 'DELETE_COMPLETE') {
    throw new UserError(`could not delete the failed stack ${stack.StackName} (${result.status}); delete it by hand and deploy again`);
  }
}

/** Function logical IDs whose Code names `fileName` in the template. */
export function functionsUsingZip(templateBody: string, fileName: string): string[] {
  const template = JSON.parse(templateBody) as { Resources?: Record<string, { Type?: string; Properties?: { Code?: unknown } }> };
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties?.Code ?? null).includes(JSON.stringify(fileName)))
    .map(([logicalId]) => logicalId);
}

/**
 * Compares each function's CodeSha256 (base64 SHA-256 of its zip) with the
 * zip just built, and updates the ones that differ. Comparing with the function
 * rather than with what was uploaded also repairs a deploy that uploaded new
 * zips and then stopped.
 */
async function pushChangedCode(
  cfn: CloudFormationClient,
  lambda: LambdaClient,
  stackId: string,
  templateBody: string,
  artifacts: Artifact[],
  codeBucket: string,
): Promise<string[]> {
  const resources = await listResourcesDeep(cfn, stackId);
  const updated: string[] = [];
  for (const artifact of artifacts.filter((a) => a.key.endsWith('.zip'))) {
    const fileName = artifact.key.slice(artifact.key.lastIndexOf('/') + 1);
    const sha256 = Buffer.from(artifact.sha256, 'hex').toString('base64');
    for (const logicalId of functionsUsingZip(templateBody, fileName)) {
      const physical = resources.find((r) => r.path === logicalId)?.PhysicalResourceId;
      if (!physical) continue;
      const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: physical }));
      if (current.CodeSha256 === sha256) continue;
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: physical, S3Bucket: codeBucket, S3Key: artifact.key }));
      updated.push(logicalId);
    }
  }
  return updated;
}
