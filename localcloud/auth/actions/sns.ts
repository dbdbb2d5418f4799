import { parseTopicArn, topicArn } from '../../services/sns/arns.js';
import { permission, text, unmapped, type ActionMap } from './permission.js';

/** Operations authorized as `sns:<Operation>` on the topic named by TopicArn (ResourceArn for tagging). */
const TOPIC_OPERATIONS = new Set([
  'DeleteTopic', 'GetTopicAttributes', 'SetTopicAttributes', 'AddPermission', 'RemovePermission', 'Subscribe',
  'ConfirmSubscription', 'ListSubscriptionsByTopic', 'Publish', 'TagResource', 'UntagResource', 'ListTagsForResource',
]);

/** Operations the Service Authorization Reference gives no resource type: they are authorized on `*`. */
const UNSCOPED_OPERATIONS = new Set(['ListTopics', 'ListSubscriptions', 'GetSubscriptionAttributes', 'SetSubscriptionAttributes', 'Unsubscribe']);

/**
 * Amazon SNS (prefix `sns`), per the Service Authorization Reference:
 * CreateTopic is on the topic it would create; PublishBatch is `sns:Publish`;
 * topic operations are on the topic's ARN (Publish may name it as TargetArn),
 * whose topic policy then also counts; subscription operations and the List
 * operations are on `*`.
 */
export const snsPermissions: ActionMap = (operation, input, req) => {
  if (operation === 'CreateTopic') return [permission('sns:CreateTopic', topicArn({ accountId: req.accountId, region: req.region, name: text(input?.Name) ?? '' }))];
  if (UNSCOPED_OPERATIONS.has(operation)) return [permission(`sns:${operation}`, '*')];
  if (operation === 'PublishBatch') return [permission('sns:Publish', topicOf(text(input?.TopicArn)))];
  if (TOPIC_OPERATIONS.has(operation)) {
    const named = operation === 'TagResource' || operation === 'UntagResource' || operation === 'ListTagsForResource' ? input?.ResourceArn : (input?.TopicArn ?? input?.TargetArn);
    return [permission(`sns:${operation}`, topicOf(text(named)))];
  }
  return unmapped('sns', operation);
};

const topicOf = (arn: string | undefined) => (arn && parseTopicArn(arn) ? arn : '*');
