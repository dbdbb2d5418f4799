import { parsePolicy } from '../../auth/policy/index.js';
import { invalidParameter } from './errors.js';
import type { Subscription, Topic } from './store.js';

/** Topic attributes a caller may set (CreateTopic, SetTopicAttributes), as SNS spells them. */
export const SETTABLE_TOPIC_ATTRIBUTES = new Set([
  'DisplayName', 'Policy', 'DeliveryPolicy', 'KmsMasterKeyId', 'SignatureVersion', 'TracingConfig',
  'ContentBasedDeduplication', 'FifoThroughputScope',
]);

/**
 * Attributes of SNS features this cloud does not have (message archiving,
 * delivery status logging to CloudWatch Logs): refused with why, rather than
 * stored and silently not acted on.
 */
const UNSERVED_TOPIC_ATTRIBUTES: Record<string, string> = {
  ArchivePolicy: 'message archiving and replay',
  ...Object.fromEntries(
    ['HTTP', 'Lambda', 'SQS', 'Firehose', 'Application'].flatMap((p) =>
      ['SuccessFeedbackRoleArn', 'FailureFeedbackRoleArn', 'SuccessFeedbackSampleRate'].map((suffix) => [`${p}${suffix}`, 'delivery status logging']),
    ),
  ),
};

/** The delivery policy SNS applies to HTTP(S) subscriptions when none is set. */
export const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

/** The policy a topic has until one is set: the owner's account may do everything. */
export function defaultTopicPolicy(topic: Topic): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic',
          'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish',
        ],
        Resource: topic.arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': topic.id.accountId } },
      },
    ],
  });
}

/** Checks an attribute a caller sets; `creating` allows FifoTopic, which only CreateTopic may set. */
export function validateTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  if (name === 'FifoTopic') {
    if (!creating) throw invalidParameter('AttributeName');
    if (value !== 'true' && value !== 'false') throw invalidParameter('Attributes Reason: FifoTopic must be true or false');
    return;
  }
  if (Object.hasOwn(UNSERVED_TOPIC_ATTRIBUTES, name)) throw invalidParameter(`Attributes Reason: ${name}: ${UNSERVED_TOPIC_ATTRIBUTES[name]} is not served by this local cloud`);
  if (!SETTABLE_TOPIC_ATTRIBUTES.has(name)) throw invalidParameter(creating ? `Attributes Reason: Unknown attribute ${name}` : 'AttributeName');
  if (name === 'ContentBasedDeduplication') {
    if (!fifo) throw invalidParameter('Attributes Reason: ContentBasedDeduplication is only valid for FIFO topics');
    if (value !== 'true' && value !== 'false') throw invalidParameter('Attributes Reason: ContentBasedDeduplication must be true or false');
  }
  if (name === 'DisplayName' && value.length > 100) throw invalidParameter('Attributes Reason: DisplayName is longer than 100 characters');
  if ((name === 'Policy' || name === 'DeliveryPolicy') && value !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalidParameter(`${name}: failed to parse JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter(`${name}: must be a JSON object`);
    if (name === 'Policy') {
      // The authorizer evaluates topic policies, so a document it could not read is refused here, not at the next request.
      try {
        parsePolicy(value, 'resource');
      } catch (err) {
        throw invalidParameter(`Policy Error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  if (name === 'SignatureVersion' && value !== '1' && value !== '2') throw invalidParameter('Attributes Reason: SignatureVersion must be 1 or 2');
  if (name === 'TracingConfig' && value !== 'Active' && value !== 'PassThrough') throw invalidParameter('Attributes Reason: TracingConfig must be Active or PassThrough');
}

/** Everything GetTopicAttributes answers. */
export function topicAttributes(topic: Topic, subscriptions: Subscription[]): Record<string, string> {
  const fifo = topic.attributes.FifoTopic === 'true';
  const attributes: Record<string, string> = {
    TopicArn: topic.arn,
    Owner: topic.id.accountId,
    Policy: topic.attributes.Policy || defaultTopicPolicy(topic),
    DisplayName: topic.attributes.DisplayName ?? '',
    SubscriptionsConfirmed: String(subscriptions.filter((s) => !s.pendingConfirmation).length),
    SubscriptionsPending: String(subscriptions.filter((s) => s.pendingConfirmation).length),
    SubscriptionsDeleted: String(topic.deletedSubscriptions),
    EffectiveDeliveryPolicy: topic.attributes.DeliveryPolicy || DEFAULT_DELIVERY_POLICY,
  };
  for (const [name, value] of Object.entries(topic.attributes)) {
    if (name !== 'Policy' && name !== 'DisplayName' && value !== '') attributes[name] = value;
  }
  if (fifo) {
    attributes.FifoTopic = 'true';
    attributes.ContentBasedDeduplication = topic.attributes.ContentBasedDeduplication ?? 'false';
  }
  return attributes;
}
