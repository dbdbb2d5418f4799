/**
 * AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy,
 * provisioned through the SNS API like any client would. A topic's Ref is
 * its ARN; a subscription's Ref is its ARN; a topic policy's Ref is a
 * generated id, as on AWS.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { ignoreNotFound, policyJson, removedTagKeys, ResourceFailure, tagList, toBoolean, type Properties, type ResourceProvider, type ResourceRequest } from '../cloudformation/provider.js';

/** Topic properties that are topic attributes (JSON ones may be objects in templates), as SNS spells them. */
const TOPIC_ATTRIBUTE_PROPERTIES = ['DisplayName', 'KmsMasterKeyId', 'SignatureVersion', 'TracingConfig', 'ContentBasedDeduplication', 'DeliveryPolicy', 'ArchivePolicy', 'FifoThroughputScope'] as const;
const TOPIC_PROPERTIES = new Set<string>([...TOPIC_ATTRIBUTE_PROPERTIES, 'TopicName', 'FifoTopic', 'Subscription', 'Tags']);

const SUBSCRIPTION_ATTRIBUTE_PROPERTIES = ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'DeliveryPolicy', 'SubscriptionRoleArn', 'ReplayPolicy'] as const;
const SUBSCRIPTION_PROPERTIES = new Set<string>([...SUBSCRIPTION_ATTRIBUTE_PROPERTIES, 'TopicArn', 'Protocol', 'Endpoint', 'Region']);

function refuseUnknown(p: Properties, known: Set<string>): void {
  const unknown = Object.keys(p).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new ResourceFailure(`Properties validation failed for resource: extraneous key [${unknown.join(', ')}] is not permitted`);
}

const attributeValue = (value: unknown) => (typeof value === 'object' && value !== null ? policyJson(value) : String(value));

function attributesOf(p: Properties, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (p[name] !== undefined && p[name] !== null) out[name] = attributeValue(p[name]);
  return out;
}

const isFifo = (p: Properties) => toBoolean(p.FifoTopic) === true;

function topicNameFor(request: ResourceRequest): string {
  const p = request.properties;
  if (p.TopicName) return String(p.TopicName);
  return isFifo(p) ? `${request.physicalName({ maxLength: 251 })}.fifo` : request.physicalName({ maxLength: 256 });
}

const topicResult = (arn: string) => ({ physicalId: arn, attributes: { TopicArn: arn, TopicName: arn.slice(arn.lastIndexOf(':') + 1) } });

/** The inline `Subscription` list of a topic: `[{Protocol, Endpoint}]`. */
function inlineSubscriptions(value: unknown): { Protocol: string; Endpoint: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((s) => s && typeof s.Protocol === 'string' && typeof s.Endpoint === 'string')) {
    throw new ResourceFailure('Properties validation failed for resource: Subscription must be a list of {Protocol, Endpoint}');
  }
  return value;
}

const sameSubscription = (a: { Protocol: string; Endpoint: string }, b: { Protocol?: string; Endpoint?: string }) => a.Protocol === b.Protocol && a.Endpoint === b.Endpoint;

const topic: ResourceProvider = {
  type: 'AWS::SNS::Topic',
  attributes: ['TopicArn', 'TopicName'],
  nameProperty: 'TopicName',
  replaceOnChange: ['TopicName', 'FifoTopic'],
  async create(request) {
    const p = request.properties;
    refuseUnknown(p, TOPIC_PROPERTIES);
    const subscriptions = inlineSubscriptions(p.Subscription);
    const attributes = attributesOf(p, TOPIC_ATTRIBUTE_PROPERTIES);
    if (isFifo(p)) attributes.FifoTopic = 'true';
    const sns = request.client(SNSClient);
    const tags = tagList(p.Tags);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicNameFor(request), Attributes: attributes, ...(tags.length > 0 ? { Tags: tags } : {}) }));
    for (const s of subscriptions) await sns.send(new SubscribeCommand({ TopicArn, Protocol: s.Protocol, Endpoint: s.Endpoint }));
    return topicResult(TopicArn!);
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: arn } = request;
    refuseUnknown(p, TOPIC_PROPERTIES);
    const sns = request.client(SNSClient);
    const next = attributesOf(p, TOPIC_ATTRIBUTE_PROPERTIES);
    const before = attributesOf(old, TOPIC_ATTRIBUTE_PROPERTIES);
    for (const name of TOPIC_ATTRIBUTE_PROPERTIES) {
      if (next[name] === before[name]) continue;
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: name, AttributeValue: next[name] ?? '' }));
    }
    const removed = removedTagKeys(p.Tags, old.Tags);
    if (removed.length > 0) await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: removed }));
    const tags = tagList(p.Tags);
    if (tags.length > 0) await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags }));
    // Inline subscriptions: subscribe the new ones, unsubscribe the ones dropped from the template.
    const wanted = inlineSubscriptions(p.Subscription);
    const previous = inlineSubscriptions(old.Subscription);
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    for (const s of previous.filter((o) => !wanted.some((w) => sameSubscription(w, o)))) {
      const existing = Subscriptions.find((e) => sameSubscription(s, e));
      if (existing?.SubscriptionArn?.startsWith('arn:')) await sns.send(new UnsubscribeCommand({ SubscriptionArn: existing.SubscriptionArn }));
    }
    for (const s of wanted.filter((w) => !previous.some((o) => sameSubscription(w, o)))) {
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: s.Protocol, Endpoint: s.Endpoint }));
    }
    return topicResult(arn);
  },
  async delete(request) {
    await request.client(SNSClient).send(new DeleteTopicCommand({ TopicArn: request.physicalId })).catch(ignoreNotFound);
  },
};

const subscription: ResourceProvider = {
  type: 'AWS::SNS::Subscription',
  attributes: ['Arn'],
  requiredProperties: ['TopicArn', 'Protocol'],
  replaceOnChange: ['TopicArn', 'Protocol', 'Endpoint', 'Region'],
  async create(request) {
    const p = request.properties;
    refuseUnknown(p, SUBSCRIPTION_PROPERTIES);
    if (p.Region !== undefined && p.Region !== request.stack.region) {
      throw new ResourceFailure(`Region ${p.Region}: this local cloud subscribes only within the stack's region (${request.stack.region})`);
    }
    const { SubscriptionArn } = await request.client(SNSClient).send(
      new SubscribeCommand({
        TopicArn: String(p.TopicArn),
        Protocol: String(p.Protocol),
        Endpoint: p.Endpoint === undefined ? undefined : String(p.Endpoint),
        Attributes: attributesOf(p, SUBSCRIPTION_ATTRIBUTE_PROPERTIES),
        ReturnSubscriptionArn: true,
      }),
    );
    return { physicalId: SubscriptionArn!, attributes: { Arn: SubscriptionArn! } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: arn } = request;
    refuseUnknown(p, SUBSCRIPTION_PROPERTIES);
    const sns = request.client(SNSClient);
    const next = attributesOf(p, SUBSCRIPTION_ATTRIBUTE_PROPERTIES);
    const before = attributesOf(old, SUBSCRIPTION_ATTRIBUTE_PROPERTIES);
    // The scope first, so that a policy for the new scope is checked against it.
    for (const name of ['FilterPolicyScope', ...SUBSCRIPTION_ATTRIBUTE_PROPERTIES.filter((n) => n !== 'FilterPolicyScope')]) {
      if (next[name] === before[name]) continue;
      const value = next[name] ?? (name === 'FilterPolicyScope' ? 'MessageAttributes' : name === 'RawMessageDelivery' ? 'false' : '');
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: name, AttributeValue: value }));
    }
    return { physicalId: arn, attributes: { Arn: arn } };
  },
  async delete(request) {
    await request.client(SNSClient).send(new UnsubscribeCommand({ SubscriptionArn: request.physicalId })).catch(ignoreNotFound);
  },
};

/** Sets (or, with undefined, removes) the Policy of each topic; topics already gone are skipped on removal. */
async function applyPolicy(request: ResourceRequest, topics: unknown, document: unknown): Promise<void> {
  if (!Array.isArray(topics)) throw new ResourceFailure('Properties validation failed for resource: Topics must be a list of topic ARNs');
  const sns = request.client(SNSClient);
  const policy = document === undefined ? '' : policyJson(document);
  for (const arn of topics) {
    await sns.send(new SetTopicAttributesCommand({ TopicArn: String(arn), AttributeName: 'Policy', AttributeValue: policy })).catch((err) => {
      if (document !== undefined) throw err;
      ignoreNotFound(err);
    });
  }
}

const topicPolicy: ResourceProvider = {
  type: 'AWS::SNS::TopicPolicy',
  attributes: ['Id'],
  requiredProperties: ['Topics', 'PolicyDocument'],
  async create(request) {
    await applyPolicy(request, request.properties.Topics, request.properties.PolicyDocument);
    const physicalId = `${request.stack.stackName}-${request.logicalId}-${randomBytes(6).toString('hex').toUpperCase()}`;
    return { physicalId, attributes: { Id: physicalId } };
  },
  async update(request) {
    const { properties: p, previousProperties: old } = request;
    const dropped = ((old.Topics ?? []) as unknown[]).filter((arn) => !((p.Topics ?? []) as unknown[]).includes(arn));
    await applyPolicy(request, dropped, undefined);
    await applyPolicy(request, p.Topics, p.PolicyDocument);
    return { physicalId: request.physicalId, attributes: { Id: request.physicalId } };
  },
  async delete(request) {
    await applyPolicy(request, request.properties.Topics ?? [], undefined);
  },
};

export const resourceProviders: ResourceProvider[] = [topic, subscription, topicPolicy];
