/** Stack look-ups and status vocabulary shared by deploy and destroy. */
import {
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type CloudFormationClient,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { errorMessage } from '../support/errors.js';

/** The stack, or undefined when there is none by that name (or id) any more. */
export async function describeStack(cfn: CloudFormationClient, stackNameOrId: string): Promise<Stack | undefined> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackNameOrId }));
    return Stacks?.[0];
  } catch (error) {
    // AWS answers a ValidationError "Stack with id X does not exist".
    if (/does not exist/i.test(errorMessage(error))) return undefined;
    throw error;
  }
}

export function isInProgress(status: string | undefined): boolean {
  return status !== undefined && status.endsWith('_IN_PROGRESS');
}

/** States after which an update is accepted. */
export const STABLE_SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

/** A stack whose creation failed and rolled back: AWS only allows deleting it. */
export const DEAD_ON_ARRIVAL = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED']);

export function outputsOf(stack: Stack): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  return outputs;
}

export interface StackResource extends StackResourceSummary {
  /** `ConfigHelperStack/AddConfigSetting` for resources of nested stacks. */
  path: string;
}

/** Every resource of the stack and of its nested stacks, depth first. */
export async function listResourcesDeep(cfn: CloudFormationClient, stackNameOrId: string, prefix = ''): Promise<StackResource[]> {
  const resources: StackResource[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackNameOrId, NextToken: token }));
    for (const summary of page.StackResourceSummaries ?? []) {
      const path = `${prefix}${summary.LogicalResourceId}`;
      resources.push({ ...summary, path });
      if (summary.ResourceType === 'AWS::CloudFormation::Stack' && summary.PhysicalResourceId?.startsWith('arn:')) {
        resources.push(...(await listResourcesDeep(cfn, summary.PhysicalResourceId, `${path}/`)));
      }
    }
    token = page.NextToken;
  } while (token);
  return resources;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
