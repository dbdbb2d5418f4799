/**
 * Create or update through a change set, as the console and `aws cloudformation
 * deploy` do: the change set tells up front whether anything changes, and an
 * empty one ends the deploy as a no-op.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type Change,
  type CloudFormationClient,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { UserError } from '../support/errors.js';
import { sleep } from './stacks.js';

export interface ChangeSetRequest {
  stackName: string;
  type: 'CREATE' | 'UPDATE';
  templateBody: string;
  parameters: Parameter[];
  pollIntervalMs: number;
  timeoutMs: number;
}

export type ChangeSetOutcome =
  | { empty: true; changeSetId: string; stackId: string }
  | { empty: false; changeSetId: string; stackId: string; changes: Change[] };

/** Phrases CloudFormation uses for a change set without changes. */
const NO_CHANGES = /didn't contain changes|no updates are to be performed/i;

export async function createChangeSet(cfn: CloudFormationClient, request: ChangeSetRequest): Promise<ChangeSetOutcome> {
  const created = await cfn.send(
    new CreateChangeSetCommand({
      StackName: request.stackName,
      ChangeSetName: `deploy-${Date.now()}`,
      ChangeSetType: request.type,
      TemplateBody: request.templateBody,
      Parameters: request.parameters,
      Capabilities: ['CAPABILITY_IAM'],
      Description: 'make deploy / make up',
    }),
  );
  const changeSetId = created.Id;
  if (!changeSetId) throw new Error('CreateChangeSet returned no change set id');

  const deadline = Date.now() + request.timeoutMs;
  const changes: Change[] = [];
  for (;;) {
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: created.StackId }));
    const stackId = described.StackId ?? created.StackId ?? request.stackName;
    if (described.Status === 'CREATE_COMPLETE') {
      changes.push(...(described.Changes ?? []));
      // Large change sets page their changes.
      let token = described.NextToken;
      while (token) {
        const page = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: stackId, NextToken: token }));
        changes.push(...(page.Changes ?? []));
        token = page.NextToken;
      }
      return { empty: false, changeSetId, stackId, changes };
    }
    if (described.Status === 'FAILED') {
      const reason = described.StatusReason ?? 'no reason given';
      if (NO_CHANGES.test(reason)) return { empty: true, changeSetId, stackId };
      await deleteChangeSet(cfn, changeSetId, stackId).catch(() => {});
      throw new UserError(`CloudFormation rejected the change set for stack ${request.stackName}: ${reason}`);
    }
    if (Date.now() > deadline) {
      throw new UserError(`change set for stack ${request.stackName} was still ${described.Status} after ${request.timeoutMs / 1000} s`);
    }
    await sleep(request.pollIntervalMs);
  }
}

export async function deleteChangeSet(cfn: CloudFormationClient, changeSetId: string, stackId: string): Promise<void> {
  await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: changeSetId, StackName: stackId }));
}

/** `3 to add, 1 to modify (1 replacement), 0 to remove` */
export function summarizeChanges(changes: readonly Change[]): string {
  const count = (action: string) => changes.filter((c) => c.ResourceChange?.Action === action).length;
  const replacements = changes.filter((c) => c.ResourceChange?.Replacement === 'True').length;
  const parts = [`${count('Add')} to add`, `${count('Modify')} to modify${replacements ? ` (${replacements} replaced)` : ''}`, `${count('Remove')} to remove`];
  return parts.join(', ');
}
