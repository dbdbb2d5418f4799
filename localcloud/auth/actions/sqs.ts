import { parseQueueUrl, queueArn } from '../../services/sqs/queue-url.js';
import { permission, text, unmapped, type ActionMap } from './permission.js';

/** Operations that name their queue by QueueUrl; the action is `sqs:<Operation>` on the queue's ARN. */
const QUEUE_URL_OPERATIONS = new Set([
  'DeleteQueue', 'GetQueueAttributes', 'SetQueueAttributes', 'SendMessage', 'SendMessageBatch', 'ReceiveMessage',
  'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'PurgeQueue',
  'ListDeadLetterSourceQueues', 'TagQueue', 'UntagQueue', 'ListQueueTags', 'AddPermission', 'RemovePermission',
]);

/**
 * Amazon SQS (prefix `sqs`). Per the Service Authorization Reference, the
 * batch operations are authorized as their single forms (SendMessageBatch is
 * `sqs:SendMessage`), ListQueues is on `*`, and everything else is
 * `sqs:<Operation>` on the queue's ARN, taken from QueueUrl (which may name
 * another account's queue, whose queue policy then decides) or, for
 * CreateQueue and GetQueueUrl, from QueueName.
 */
export const sqsPermissions: ActionMap = (operation, input, req) => {
  if (operation === 'ListQueues') return [permission('sqs:ListQueues', '*')];
  if (operation === 'CreateQueue' || operation === 'GetQueueUrl') {
    const accountId = operation === 'GetQueueUrl' ? text(input?.QueueOwnerAWSAccountId) ?? req.accountId : req.accountId;
    return [permission(`sqs:${operation}`, queueArn({ accountId, region: req.region, name: text(input?.QueueName) ?? '' }))];
  }
  if (QUEUE_URL_OPERATIONS.has(operation)) {
    const action = `sqs:${operation.replace(/Batch$/, '')}`;
    const id = parseQueueUrl(text(input?.QueueUrl) ?? '', req.region);
    return [permission(action, id ? queueArn(id) : '*')];
  }
  return unmapped('sqs', operation);
};
