/**
 * `destroy`: the original's cleanup steps, in its order — empty the archive
 * bucket (CloudFormation cannot delete a bucket with objects), delete the stack,
 * delete the functions' log groups (Lambda creates them outside the stack, so
 * they outlive it) — plus the code this harness uploaded.
 */
import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { UserError, errorMessage, httpStatus } from '../support/errors.js';
import { formatDuration, type Reporter } from '../support/terminal.js';
import { clientConfig, s3ClientConfig } from '../targets/clients.js';
import type { Connection } from '../targets/types.js';
import { FUNCTION_ZIPS, NESTED_TEMPLATE_NAME, codeKey } from './artifacts.js';
import { bucketExists, defaultCodeBucket, deleteBucketIfEmpty, emptyBucket } from './code-bucket.js';
import { followOperation, watchStack, LOCAL_POLL_INTERVAL_MS } from './operation.js';
import { rootCause } from './stack-events.js';
import { assertValidStackName } from './stack-name.js';
import { describeStack, listResourcesDeep } from './stacks.js';

export interface DestroyOptions {
  connection: Connection;
  stackName: string;
  codeBucket?: string;
  codeKeyPrefix: string;
  /** Keep the uploaded code and the code bucket (default: remove them too). */
  keepCode?: boolean;
  reporter: Reporter;
  pollIntervalMs?: number;
  timeoutMs?: number;
}

export interface DestroyResult {
  /** False when there was no such stack. */
  stackDeleted: boolean;
  archiveObjectsDeleted: number;
  logGroupsDeleted: string[];
  codeBucketDeleted: boolean;
  durationMs: number;
}

export async function destroyStack(options: DestroyOptions): Promise<DestroyResult> {
  const started = Date.now();
  const { connection, stackName, reporter } = options;
  const { paint } = reporter;
  assertValidStackName(stackName);
  const pollIntervalMs = options.pollIntervalMs ?? (connection.local ? LOCAL_POLL_INTERVAL_MS : 2000);
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const cfn = new CloudFormationClient(clientConfig(connection));
  const s3 = new S3Client(s3ClientConfig(connection));
  const logs = new CloudWatchLogsClient(clientConfig(connection));
  const result: DestroyResult = { stackDeleted: false, archiveObjectsDeleted: 0, logGroupsDeleted: [], codeBucketDeleted: false, durationMs: 0 };
  try {
    reporter.info(`${paint('bold', 'Destroying')} stack ${paint('cyan', stackName)} on ${connection.description}`);
    const stack = await describeStack(cfn, stackName);
    if (!stack) {
      reporter.info(`  stack ${stackName} does not exist; nothing to delete there`);
    } else {
      const stackId = stack.StackId ?? stackName;
      // Read before deleting: afterwards the physical names are gone with the stack.
      const resources = await listResourcesDeep(cfn, stackId);
      const buckets = resources.filter((r) => r.ResourceType === 'AWS::S3::Bucket' && r.PhysicalResourceId);
      const functions = resources.filter((r) => r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId);

      for (const bucket of buckets) {
        const count = await emptyIfExists(s3, bucket.PhysicalResourceId!);
        result.archiveObjectsDeleted += count;
        reporter.info(`  emptied ${bucket.path} ${bucket.PhysicalResourceId} (${count} object${count === 1 ? '' : 's'})`);
      }

      let deletion = await deleteAndFollow(cfn, stackId, { reporter, pollIntervalMs, timeoutMs });
      if (deletion.status === 'DELETE_FAILED') {
        // The event source mappings may have archived one more batch between emptying and deleting.
        reporter.warn(`stack deletion failed once (${describeCause(deletion.events)}); emptying the buckets again and retrying`);
        for (const bucket of buckets) result.archiveObjectsDeleted += await emptyIfExists(s3, bucket.PhysicalResourceId!);
        deletion = await deleteAndFollow(cfn, stackId, { reporter, pollIntervalMs, timeoutMs });
      }
      if (deletion.status !== 'DELETE_COMPLETE') {
        throw new UserError(`destroy of stack ${stackName} failed, now ${deletion.status}: ${describeCause(deletion.events)}`);
      }
      result.stackDeleted = true;

      for (const fn of functions) {
        const group = `/aws/lambda/${fn.PhysicalResourceId}`;
        if (await deleteLogGroup(logs, group)) result.logGroupsDeleted.push(group);
      }
      reporter.info(`  deleted ${result.logGroupsDeleted.length} log group(s)${result.logGroupsDeleted.length ? `: ${result.logGroupsDeleted.join(', ')}` : ''}`);
    }

    if (!options.keepCode) {
      const codeBucket = options.codeBucket ?? (await defaultCodeBucket(connection));
      result.codeBucketDeleted = await removeCode(s3, codeBucket, options.codeKeyPrefix);
      reporter.info(
        result.codeBucketDeleted
          ? `  deleted code bucket ${codeBucket}`
          : `  removed the uploaded code from ${codeBucket} (bucket kept: it holds other objects or does not exist)`,
      );
    }
    result.durationMs = Date.now() - started;
    reporter.info(`${paint('green', '✓')} ${result.stackDeleted ? `stack ${stackName} deleted` : 'nothing left to delete'} in ${formatDuration(result.durationMs)}`);
    return result;
  } finally {
    cfn.destroy();
    s3.destroy();
    logs.destroy();
  }
}

async function deleteAndFollow(
  cfn: CloudFormationClient,
  stackId: string,
  options: { reporter: Reporter; pollIntervalMs: number; timeoutMs: number },
) {
  const watcher = await watchStack(cfn, stackId, options.reporter);
  await cfn.send(new DeleteStackCommand({ StackName: stackId }));
  return followOperation(cfn, stackId, watcher, options);
}

function describeCause(events: Parameters<typeof rootCause>[0]): string {
  const cause = rootCause(events);
  return cause ? `${cause.path} (${cause.ResourceType}): ${cause.ResourceStatusReason ?? cause.ResourceStatus}` : 'no failed resource reported';
}

async function emptyIfExists(s3: S3Client, bucket: string): Promise<number> {
  try {
    return await emptyBucket(s3, bucket);
  } catch (error) {
    if (httpStatus(error) === 404) return 0;
    throw new UserError(`could not empty bucket ${bucket}: ${errorMessage(error)}`);
  }
}

async function deleteLogGroup(logs: CloudWatchLogsClient, name: string): Promise<boolean> {
  try {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
    return true;
  } catch (error) {
    // A function that never ran has no log group.
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/** Deletes what deploy uploaded, then the bucket if nothing else is in it. */
async function removeCode(s3: S3Client, bucket: string, codeKeyPrefix: string): Promise<boolean> {
  if (!(await bucketExists(s3, bucket))) return false;
  const keys = [...FUNCTION_ZIPS, NESTED_TEMPLATE_NAME].map((name) => ({ Key: codeKey(codeKeyPrefix, name) }));
  await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  return deleteBucketIfEmpty(s3, bucket);
}
