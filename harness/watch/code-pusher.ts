/**
 * Pushes a rebuilt zip to the stack's function with UpdateFunctionCode and
 * waits until Lambda reports the update Successful — the same API calls on
 * every target, so the watch works on the embedded cloud, LocalStack, an
 * endpoint, or AWS. Which function takes which zip comes from the stack: the
 * template names each function's zip, the stack's resources its physical name.
 */
import { readFileSync } from 'node:fs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionCodeCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { FUNCTION_NAMES, type FunctionName } from '../build/build.js';
import { functionsUsingZip } from '../deploy/deploy.js';
import { listResourcesDeep, sleep } from '../deploy/stacks.js';
import { clientConfig } from '../targets/clients.js';
import type { Connection } from '../targets/types.js';

/** How long an update may stay InProgress before the reload is reported failed. */
const UPDATE_TIMEOUT_MS = 60_000;

export interface StackFunction {
  logicalId: string;
  physicalName: string;
}

export class CodePusher {
  private readonly lambda: LambdaClient;
  private readonly cfn: CloudFormationClient;
  private readonly pollIntervalMs: number;
  private targets = new Map<FunctionName, StackFunction[]>();

  constructor(
    connection: Connection,
    private readonly stackName: string,
    private readonly templatePath: string,
  ) {
    this.lambda = new LambdaClient(clientConfig(connection));
    this.cfn = new CloudFormationClient(clientConfig(connection));
    // A local update settles within milliseconds; AWS takes seconds.
    this.pollIntervalMs = connection.local ? 20 : 1000;
  }

  /** Reads which stack function takes which zip; again after every template deploy (a function may have been replaced). */
  async refresh(): Promise<void> {
    const templateBody = readFileSync(this.templatePath, 'utf8');
    const resources = await listResourcesDeep(this.cfn, this.stackName);
    const targets = new Map<FunctionName, StackFunction[]>();
    for (const name of FUNCTION_NAMES) {
      targets.set(
        name,
        functionsUsingZip(templateBody, `${name}.zip`).flatMap((logicalId) => {
          const physicalName = resources.find((r) => r.path === logicalId && r.ResourceType === 'AWS::Lambda::Function')?.PhysicalResourceId;
          return physicalName ? [{ logicalId, physicalName }] : [];
        }),
      );
    }
    this.targets = targets;
  }

  functionsOf(name: FunctionName): StackFunction[] {
    return this.targets.get(name) ?? [];
  }

  /** Updates every stack function built from `name` and resolves once each runs the new code. */
  async push(name: FunctionName, zip: Buffer): Promise<StackFunction[]> {
    const targets = this.functionsOf(name);
    await Promise.all(
      targets.map(async ({ physicalName }) => {
        const updated = await this.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: physicalName, ZipFile: zip }));
        await this.untilUpdated(physicalName, updated);
      }),
    );
    return targets;
  }

  close(): void {
    this.lambda.destroy();
    this.cfn.destroy();
  }

  private async untilUpdated(functionName: string, first: FunctionConfiguration): Promise<void> {
    const deadline = Date.now() + UPDATE_TIMEOUT_MS;
    let config = first;
    for (;;) {
      if (config.LastUpdateStatus === 'Successful' || config.LastUpdateStatus === undefined) return;
      if (config.LastUpdateStatus === 'Failed') {
        throw new Error(`Lambda could not update ${functionName}: ${config.LastUpdateStatusReasonCode ?? ''} ${config.LastUpdateStatusReason ?? 'no reason given'}`.trim());
      }
      if (Date.now() > deadline) throw new Error(`${functionName} was still updating after ${UPDATE_TIMEOUT_MS / 1000} s`);
      await sleep(this.pollIntervalMs);
      config = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    }
  }
}
