import { parseQueueEndpointArn } from './endpoints.js';
import { invalidParameter } from './errors.js';
import { parseFilterPolicy, type FilterScope } from './filter-policy.js';
import type { Subscription } from './store.js';
import { DEFAULT_DELIVERY_POLICY } from './topic-attributes.js';

/** Subscription attributes a caller may set (Subscribe, SetSubscriptionAttributes). */
const SETTABLE = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);

/** Protocols whose subscribers can take the message without SNS's JSON envelope. */
const RAW_PROTOCOLS = new Set(['sqs', 'http', 'https', 'firehose']);

/**
 * Checks one attribute and returns the value to store ('' removes it). The
 * filter policy is checked against the scope it will have once all of
 * `pending` (the request's other attributes) are applied.
 */
export function validateSubscriptionAttribute(
  sub: Pick<Subscription, 'protocol' | 'attributes'>,
  name: string,
  value: string,
  pending: Record<string, string> = {},
): string {
  if (!SETTABLE.has(name)) throw invalidParameter(`AttributeName`);
  switch (name) {
    case 'RawMessageDelivery': {
      const normalized = value.toLowerCase();
      if (normalized !== 'true' && normalized !== 'false') throw invalidParameter('Attributes Reason: RawMessageDelivery: Invalid value [' + value + ']. Must be true or false.');
      if (normalized === 'true' && !RAW_PROTOCOLS.has(sub.protocol)) {
        throw invalidParameter(`Attributes Reason: Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
      }
      return normalized;
    }
    case 'FilterPolicyScope':
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw invalidParameter('Attributes Reason: FilterPolicyScope: Invalid value [' + value + ']. Please use either MessageBody or MessageAttributes');
      return value;
    case 'FilterPolicy': {
      if (value === '') return '';
      const scope = (pending.FilterPolicyScope ?? sub.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
      parseFilterPolicy(value, scope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes');
      return value;
    }
    case 'RedrivePolicy': {
      if (value === '') return '';
      let target: unknown;
      try {
        target = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      } catch {
        throw invalidParameter('RedrivePolicy: failed to parse JSON');
      }
      if (typeof target !== 'string' || !parseQueueEndpointArn(target)) throw invalidParameter('RedrivePolicy: deadLetterTargetArn is not a valid SQS queue ARN');
      return value;
    }
    case 'DeliveryPolicy':
      if (value !== '') {
        try {
          JSON.parse(value);
        } catch {
          throw invalidParameter('DeliveryPolicy: failed to parse JSON');
        }
      }
      return value;
    case 'SubscriptionRoleArn':
      throw invalidParameter('Attributes Reason: SubscriptionRoleArn is only for firehose subscriptions, which this local cloud does not serve');
    case 'ReplayPolicy':
      throw invalidParameter('Attributes Reason: ReplayPolicy (message archiving and replay) is not served by this local cloud');
    default:
      return value;
  }
}

/** Everything GetSubscriptionAttributes answers. */
export function subscriptionAttributes(sub: Subscription): Record<string, string> {
  const attributes: Record<string, string> = {
    SubscriptionArn: sub.arn,
    TopicArn: sub.topicArn,
    Owner: sub.owner,
    Protocol: sub.protocol,
    Endpoint: sub.endpoint,
    ConfirmationWasAuthenticated: String(!sub.pendingConfirmation),
    PendingConfirmation: String(sub.pendingConfirmation),
    RawMessageDelivery: sub.attributes.RawMessageDelivery ?? 'false',
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
  };
  if (sub.protocol === 'http' || sub.protocol === 'https') attributes.EffectiveDeliveryPolicy = sub.attributes.DeliveryPolicy || DEFAULT_DELIVERY_POLICY;
  for (const [name, value] of Object.entries(sub.attributes)) if (value !== '') attributes[name] = value;
  if (sub.attributes.FilterPolicy) attributes.FilterPolicyScope = sub.attributes.FilterPolicyScope ?? 'MessageAttributes';
  return attributes;
}
