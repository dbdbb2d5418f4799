import type { AddPermissionRequest } from '@aws-sdk/client-sqs';
import { invalidValue, missingParameter, stringList } from './errors.js';
import { parseJsonObject } from './queue-attributes.js';
import type { Queue } from './queue.js';

/** The actions AddPermission may grant; `*` grants all of them. */
const GRANTABLE_ACTIONS = new Set([
  '*', 'SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl',
  'ListDeadLetterSourceQueues', 'PurgeQueue', 'ListQueueTags',
]);

interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: { Sid?: string }[];
}

function currentPolicy(queue: Queue): PolicyDocument {
  const parsed = queue.attributes.Policy ? parseJsonObject(queue.attributes.Policy) : undefined;
  const statements = parsed && Array.isArray(parsed.Statement) ? (parsed.Statement as { Sid?: string }[]) : parsed?.Statement ? [parsed.Statement as { Sid?: string }] : [];
  return { Version: String(parsed?.Version ?? '2012-10-17'), Id: (parsed?.Id as string | undefined) ?? `${queue.arn}/SQSDefaultPolicy`, Statement: statements };
}

/**
 * AddPermission writes a statement into the queue's Policy, as SQS does: its
 * Sid is the label, its principals the accounts' roots, its actions `SQS:<Action>`.
 */
export function addPermissionStatement(queue: Queue, input: AddPermissionRequest): string {
  const label = input.Label;
  if (!label) throw missingParameter('Label');
  if (typeof label !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw invalidValue('Label', label, 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  const accounts = stringList(input.AWSAccountIds, 'AWSAccountIds');
  const actionNames = stringList(input.Actions, 'Actions');
  if (!accounts || accounts.length === 0) throw missingParameter('AWSAccountIds');
  if (!actionNames || actionNames.length === 0) throw missingParameter('Actions');
  for (const action of actionNames) {
    if (!GRANTABLE_ACTIONS.has(action)) throw invalidValue('Actions', action, `Only the queue owner is allowed to invoke this action.`);
  }
  for (const account of accounts) {
    if (!/^\d{12}$/.test(account)) throw invalidValue('AWSAccountIds', account, 'An AWS account id is 12 digits.');
  }
  const policy = currentPolicy(queue);
  if (policy.Statement.some((s) => s.Sid === label)) throw invalidValue('Label', label, 'Already exists.');
  const principals = accounts.map((account) => `arn:aws:iam::${account}:root`);
  const actions = actionNames.map((action) => `SQS:${action}`);
  policy.Statement.push({
    Sid: label,
    Effect: 'Allow',
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: queue.arn,
  } as { Sid: string });
  return JSON.stringify(policy);
}

/** The Policy without the statement labelled `label`; undefined when none is left. */
export function removePermissionStatement(queue: Queue, label: string | undefined): string | undefined {
  if (!label) throw missingParameter('Label');
  const policy = currentPolicy(queue);
  const kept = policy.Statement.filter((s) => s.Sid !== label);
  if (kept.length === policy.Statement.length) throw invalidValue('Label', label, "can't find label on existing policy.");
  return kept.length === 0 ? undefined : JSON.stringify({ ...policy, Statement: kept });
}
