/**
 * The Lambda functions of a deployed stack, nested stacks included, read from
 * CloudFormation as any client would: `make logs` follows their log groups and
 * `make up DEBUG=…` gives each an inspector port. Sorted by logical path, so a
 * function's place in the list (and its debug port) is stable across runs.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describeStack, listResourcesDeep } from '../deploy/stacks.js';
import { UserError } from '../support/errors.js';
import { clientConfig, type Connection } from '../targets/index.js';

export interface StackFunction {
  /** `IotApiFunction`, or `ConfigHelperStack/ConfigHelperFunction` in a nested stack. */
  logicalPath: string;
  logicalId: string;
  /** The physical name: what Lambda calls it and what its log group is named after. */
  name: string;
}

export async function stackFunctions(connection: Connection, stackName: string): Promise<StackFunction[]> {
  const cfn = new CloudFormationClient(clientConfig(connection));
  try {
    const stack = await describeStack(cfn, stackName);
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') {
      throw new UserError(`stack ${stackName} is not deployed on ${connection.description}: deploy it first (make up, or make deploy)`);
    }
    const resources = await listResourcesDeep(cfn, stack.StackId ?? stackName);
    return resources
      .filter((r) => r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId)
      .map((r) => ({ logicalPath: r.path, logicalId: r.LogicalResourceId ?? r.path, name: r.PhysicalResourceId! }))
      .sort((a, b) => (a.logicalPath < b.logicalPath ? -1 : a.logicalPath > b.logicalPath ? 1 : 0));
  } finally {
    cfn.destroy();
  }
}

/**
 * The functions a comma-separated selection names, by logical id, logical
 * path or physical name; an unknown name is an error that lists the known ones.
 */
export function selectFunctions(all: StackFunction[], selection: string, what: string): StackFunction[] {
  const wanted = selection.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen: StackFunction[] = [];
  for (const name of wanted) {
    const match = all.find((f) => f.logicalId === name || f.logicalPath === name || f.name === name);
    if (!match) {
      throw new UserError(`${what}: the stack has no function '${name}'; its functions are ${all.map((f) => `${f.logicalPath} (${f.name})`).join(', ')}`, 2);
    }
    if (!chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}

export function logGroupOf(fn: Pick<StackFunction, 'name'>): string {
  return `/aws/lambda/${fn.name}`;
}
