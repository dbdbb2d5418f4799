import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { CloudContext, ServiceRequest } from '../../core/types.js';
import { xmlMap } from '../../protocols/xml.js';
import { isFifoName, parseSubscriptionArn, parseTopicArn, TOPIC_NAME, topicArn, type TopicId } from './arns.js';
import type { Deliveries } from './delivery.js';
import { parseQueueEndpointArn, validateEndpoint } from './endpoints.js';
import { invalidParameter, optionalString, requiredString, resourceNotFound, stringMap, subscriptionNotFound, tagList, topicNotFound } from './errors.js';
import { matchesFilterPolicy, parseFilterPolicy, type FilterScope } from './filter-policy.js';
import type { PublishedMessage } from './message.js';
import { MAX_MESSAGE_BYTES, readPublishFields, type PublishFields } from './publish-input.js';
import type { SnsStore, Subscription, Topic } from './store.js';
import { subscriptionAttributes, validateSubscriptionAttribute } from './subscription-attributes.js';
import { topicAttributes, validateTopicAttribute } from './topic-attributes.js';
import { sendConfirmationRequest, unsubscribeUrl } from './confirmation.js';

export const SNS_LIMITS = {
  /** Entries per PublishBatch. */
  maxBatchEntries: 10,
  /** Topics and subscriptions per page of the List operations. */
  topicsPerPage: 100,
  subscriptionsPerPage: 100,
  /** Tags per topic. */
  maxTags: 50,
  /** How long a FIFO topic remembers a deduplication id. */
  deduplicationWindowMs: 5 * 60_000,
} as const;

type Input = Record<string, any>;

/** The SNS API over the store; each method takes the query protocol's decoded input and returns the `<Result>` content. */
export class SnsOperations {
  constructor(
    private readonly ctx: CloudContext,
    private readonly store: SnsStore,
    private readonly deliveries: Deliveries,
  ) {}

  // ---- topics ----

  CreateTopic(input: Input, req: ServiceRequest) {
    const name = requiredString(input, 'Name');
    if (input.DataProtectionPolicy !== undefined) throw invalidParameter('DataProtectionPolicy Reason: message data protection is not served by this local cloud');
    const attributes = stringMap(input, 'Attributes');
    const tags = tagList(input.Tags);
    const fifo = attributes.FifoTopic === 'true';
    if (!TOPIC_NAME.test(name.replace(/\.fifo$/, '')) || fifo !== isFifoName(name)) {
      throw invalidParameter(fifo || !isFifoName(name) ? 'Topic Name' : 'Topic Name Reason: FIFO topic names must end in .fifo and FifoTopic must be true');
    }
    for (const [key, value] of Object.entries(attributes)) validateTopicAttribute(key, value, fifo, true);
    if (attributes.FifoTopic === 'false') delete attributes.FifoTopic;
    const id: TopicId = { accountId: req.accountId, region: req.region, name };
    const existing = this.store.topic(id);
    if (existing) {
      // CreateTopic is idempotent, but only for the same request.
      for (const [key, value] of Object.entries(attributes)) {
        if ((existing.attributes[key] ?? '') !== value) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      }
      for (const [key, value] of Object.entries(tags)) {
        if (existing.tags[key] !== value) throw invalidParameter('Tags Reason: Topic already exists with different tags');
      }
      return { TopicArn: existing.arn };
    }
    if (Object.keys(tags).length > SNS_LIMITS.maxTags) throw tagLimit();
    const topic: Topic = { id, arn: topicArn(id), attributes, tags, deletedSubscriptions: 0, deduplication: {}, sequence: 0 };
    this.store.putTopic(topic);
    return { TopicArn: topic.arn };
  }

  DeleteTopic(input: Input) {
    const arn = requiredString(input, 'TopicArn');
    if (!parseTopicArn(arn)) throw invalidParameter('TopicArn');
    const topic = this.store.topicByArn(arn);
    // Deleting a topic that does not exist succeeds, as on AWS.
    if (topic) this.store.deleteTopic(topic);
    return undefined;
  }

  ListTopics(input: Input, req: ServiceRequest) {
    const topics = this.store.listTopics(req.accountId, req.region);
    const { page, next } = paginate(topics.map((t) => t.arn), optionalString(input, 'NextToken'), SNS_LIMITS.topicsPerPage);
    return { Topics: page.map((arn) => ({ TopicArn: arn })), NextToken: next };
  }

  GetTopicAttributes(input: Input) {
    const topic = this.topic(input);
    return { Attributes: xmlMap(topicAttributes(topic, this.store.subscriptionsOf(topic.arn))) };
  }

  SetTopicAttributes(input: Input) {
    const topic = this.topic(input);
    const name = requiredString(input, 'AttributeName');
    const value = typeof input.AttributeValue === 'string' ? input.AttributeValue : '';
    validateTopicAttribute(name, value, topic.attributes.FifoTopic === 'true', false);
    if (value === '') delete topic.attributes[name];
    else topic.attributes[name] = value;
    this.store.changed();
    return undefined;
  }

  AddPermission(input: Input) {
    const topic = this.topic(input);
    const label = requiredString(input, 'Label');
    const accounts = input.AWSAccountId;
    const actions = input.ActionName;
    if (!Array.isArray(accounts) || accounts.length === 0 || !accounts.every((a) => /^\d{12}$/.test(a))) throw invalidParameter('AWSAccountId');
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === 'string' && /^\w+$/.test(a))) throw invalidParameter('ActionName');
    const policy = JSON.parse(topicAttributes(topic, []).Policy) as { Statement: Array<{ Sid?: string }> };
    if (policy.Statement.some((s) => s.Sid === label)) throw invalidParameter('Statement already exists');
    policy.Statement.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: accounts.map((a: string) => `arn:aws:iam::${a}:root`) },
      Action: actions.map((a: string) => `SNS:${a}`),
      Resource: topic.arn,
    } as { Sid: string });
    topic.attributes.Policy = JSON.stringify(policy);
    this.store.changed();
    return undefined;
  }

  RemovePermission(input: Input) {
    const topic = this.topic(input);
    const label = requiredString(input, 'Label');
    const policy = JSON.parse(topicAttributes(topic, []).Policy) as { Statement: Array<{ Sid?: string }> };
    const kept = policy.Statement.filter((s) => s.Sid !== label);
    if (kept.length === policy.Statement.length) throw invalidParameter('Statement with this label does not exist');
    policy.Statement = kept;
    topic.attributes.Policy = JSON.stringify(policy);
    this.store.changed();
    return undefined;
  }

  // ---- tags ----

  TagResource(input: Input) {
    const topic = this.taggedTopic(input);
    const tags = tagList(input.Tags);
    if (Object.keys({ ...topic.tags, ...tags }).length > SNS_LIMITS.maxTags) throw tagLimit();
    Object.assign(topic.tags, tags);
    this.store.changed();
    return {};
  }

  UntagResource(input: Input) {
    const topic = this.taggedTopic(input);
    const keys = input.TagKeys;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw invalidParameter('TagKeys');
    for (const key of keys) delete topic.tags[key];
    this.store.changed();
    return {};
  }

  ListTagsForResource(input: Input) {
    const topic = this.taggedTopic(input);
    return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  // ---- subscriptions ----

  Subscribe(input: Input, req: ServiceRequest) {
    const topic = this.topic(input);
    const protocol = requiredString(input, 'Protocol').toLowerCase();
    const endpoint = validateEndpoint(protocol, optionalString(input, 'Endpoint'));
    this.checkTargetServed(protocol);
    const fifoTopic = topic.attributes.FifoTopic === 'true';
    if (fifoTopic && protocol !== 'sqs') throw invalidParameter(`Invalid protocol type: ${protocol} cannot subscribe to a FIFO topic; only SQS queues can`);
    if (protocol === 'sqs') {
      const fifoQueue = parseQueueEndpointArn(endpoint)!.name.endsWith('.fifo');
      if (fifoQueue && !fifoTopic) throw invalidParameter('Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      if (!fifoQueue && fifoTopic) throw invalidParameter('Endpoint Reason: this local cloud delivers FIFO topics only to FIFO queues');
    }
    const requested = stringMap(input, 'Attributes');
    const attributes: Record<string, string> = {};
    const draft = { protocol, attributes };
    for (const [name, value] of Object.entries(requested)) {
      const stored = validateSubscriptionAttribute(draft, name, value, requested);
      if (stored !== '') attributes[name] = stored;
    }
    const returnArn = String(input.ReturnSubscriptionArn).toLowerCase() === 'true';
    const existing = this.store.subscriptionsOf(topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      for (const [name, value] of Object.entries(attributes)) {
        if ((existing.attributes[name] ?? '') !== value) throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
      }
      return { SubscriptionArn: existing.pendingConfirmation && !returnArn ? 'pending confirmation' : existing.arn };
    }
    const needsConfirmation = protocol === 'http' || protocol === 'https';
    const sub: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      owner: req.accountId,
      protocol,
      endpoint,
      attributes,
      pendingConfirmation: needsConfirmation,
      confirmationToken: randomBytes(64).toString('hex'),
      unsubscribeToken: randomBytes(32).toString('hex'),
    };
    this.store.putSubscription(sub);
    if (needsConfirmation) sendConfirmationRequest(this.ctx, topic, sub);
    return { SubscriptionArn: needsConfirmation && !returnArn ? 'pending confirmation' : sub.arn };
  }

  ConfirmSubscription(input: Input) {
    const topic = this.topic(input);
    const token = requiredString(input, 'Token');
    const sub = this.store.subscriptionsOf(topic.arn).find((s) => s.confirmationToken === token);
    if (!sub) throw invalidParameter('Token');
    const authenticate = input.AuthenticateOnUnsubscribe;
    if (authenticate !== undefined && !['true', 'false'].includes(String(authenticate).toLowerCase())) throw invalidParameter('AuthenticateOnUnsubscribe');
    if (sub.pendingConfirmation) {
      sub.pendingConfirmation = false;
      if (String(authenticate).toLowerCase() === 'true') sub.authenticateOnUnsubscribe = true;
      this.store.changed();
    }
    return { SubscriptionArn: sub.arn };
  }

  Unsubscribe(input: Input) {
    const arn = requiredString(input, 'SubscriptionArn');
    if (!parseSubscriptionArn(arn)) throw invalidParameter('SubscriptionArn');
    const sub = this.store.subscription(arn);
    if (sub) this.store.deleteSubscription(sub);
    return undefined;
  }

  ListSubscriptions(input: Input, req: ServiceRequest) {
    return this.subscriptionPage(this.store.listSubscriptions(req.accountId, req.region), input);
  }

  ListSubscriptionsByTopic(input: Input) {
    const topic = this.topic(input);
    return this.subscriptionPage([...this.store.subscriptionsOf(topic.arn)].sort((a, b) => (a.arn < b.arn ? -1 : 1)), input);
  }

  GetSubscriptionAttributes(input: Input) {
    return { Attributes: xmlMap(subscriptionAttributes(this.subscription(input))) };
  }

  SetSubscriptionAttributes(input: Input) {
    const sub = this.subscription(input);
    const name = requiredString(input, 'AttributeName');
    const value = typeof input.AttributeValue === 'string' ? input.AttributeValue : '';
    const stored = validateSubscriptionAttribute(sub, name, value);
    if (name === 'FilterPolicyScope' && sub.attributes.FilterPolicy) {
      // The policy must also be valid in its new scope.
      parseFilterPolicy(sub.attributes.FilterPolicy, stored as FilterScope);
    }
    if (stored === '') delete sub.attributes[name];
    else sub.attributes[name] = stored;
    this.store.changed();
    return undefined;
  }

  // ---- publishing ----

  Publish(input: Input, req: ServiceRequest) {
    if (input.PhoneNumber !== undefined) throw invalidParameter('PhoneNumber Reason: SMS is not served by this local cloud');
    const topicArnValue = input.TopicArn ?? input.TargetArn;
    if (input.TopicArn === undefined && input.TargetArn !== undefined && !parseTopicArn(String(input.TargetArn))) {
      throw invalidParameter('TargetArn Reason: only topic ARNs are served by this local cloud (mobile push endpoints are not)');
    }
    if (topicArnValue === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    const topic = this.topic({ TopicArn: topicArnValue });
    const fields = readPublishFields(input);
    const published = this.publish(topic, fields, req);
    return { MessageId: published.messageId, SequenceNumber: published.sequenceNumber };
  }

  PublishBatch(input: Input, req: ServiceRequest) {
    const topic = this.topic(input);
    const entries = input.PublishBatchRequestEntries;
    if (entries === undefined || entries === '' || (Array.isArray(entries) && entries.length === 0)) {
      throw new AwsError('EmptyBatchRequest', "The batch request doesn't contain any entries.", 400);
    }
    if (!Array.isArray(entries)) throw invalidParameter('PublishBatchRequestEntries');
    if (entries.length > SNS_LIMITS.maxBatchEntries) throw new AwsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.', 400);
    const ids = new Set<string>();
    for (const entry of entries) {
      const id = entry?.Id;
      if (typeof id !== 'string' || !/^[\w-]{1,80}$/.test(id)) throw new AwsError('InvalidBatchEntryId', "The Id of a batch entry in a batch request doesn't abide by the specification.", 400);
      if (ids.has(id)) throw new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.', 400);
      ids.add(id);
    }
    const checked: Array<{ id: string; fields?: PublishFields; error?: AwsError }> = entries.map((entry: Input) => {
      try {
        return { id: entry.Id, fields: readPublishFields(entry) };
      } catch (err) {
        if (err instanceof AwsError) return { id: entry.Id, error: err };
        throw err;
      }
    });
    const total = checked.reduce((sum, e) => sum + (e.fields?.size ?? 0), 0);
    if (total > MAX_MESSAGE_BYTES) throw new AwsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.', 400);
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of checked) {
      let error = entry.error;
      if (!error) {
        try {
          const published = this.publish(topic, entry.fields!, req);
          Successful.push({ Id: entry.id, MessageId: published.messageId, SequenceNumber: published.sequenceNumber });
          continue;
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          error = err;
        }
      }
      Failed.push({ Id: entry.id, Code: error.code, Message: error.message, SenderFault: true });
    }
    return { Successful, Failed };
  }

  /** Accepts one checked message on a topic and hands it to every subscription whose filter lets it through. */
  private publish(topic: Topic, fields: PublishFields, req: ServiceRequest): PublishedMessage {
    const fifo = topic.attributes.FifoTopic === 'true';
    let deduplicationId = fields.deduplicationId;
    if (fifo) {
      if (!fields.groupId) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
      if (!deduplicationId) {
        if (topic.attributes.ContentBasedDeduplication !== 'true') {
          throw invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
        deduplicationId = createHash('sha256').update(fields.message).digest('hex');
      }
    } else {
      if (fields.groupId !== undefined) throw invalidParameter('MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type');
      if (fields.deduplicationId !== undefined) throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    const now = Date.now();
    if (fifo) {
      for (const [key, seen] of Object.entries(topic.deduplication)) if (seen.expiresAt <= now) delete topic.deduplication[key];
      const seen = topic.deduplication[deduplicationId!];
      // A duplicate within five minutes is accepted and answered as the original, but not delivered again.
      if (seen) return { messageId: seen.messageId, sequenceNumber: seen.sequenceNumber } as PublishedMessage;
    }
    const message: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      subject: fields.subject,
      message: fields.perProtocol?.default ?? fields.message,
      perProtocol: fields.perProtocol,
      attributes: fields.attributes,
      timestamp: new Date(now).toISOString(),
      ...(fifo ? { groupId: fields.groupId, deduplicationId, sequenceNumber: String(++topic.sequence).padStart(20, '0') } : {}),
    };
    if (fifo) {
      topic.deduplication[deduplicationId!] = { messageId: message.messageId, sequenceNumber: message.sequenceNumber!, expiresAt: now + SNS_LIMITS.deduplicationWindowMs };
      this.store.changed();
    }
    for (const sub of this.store.subscriptionsOf(topic.arn)) {
      if (sub.pendingConfirmation) continue;
      if (!this.passesFilter(sub, message)) continue;
      this.deliveries.enqueue({ subscription: sub, region: topic.id.region, fifo, unsubscribeUrl: unsubscribeUrl(req.endpoint, sub) }, message);
    }
    return message;
  }

  private passesFilter(sub: Subscription, message: PublishedMessage): boolean {
    const text = sub.attributes.FilterPolicy;
    if (!text) return true;
    const scope: FilterScope = sub.attributes.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
    try {
      const body = message.perProtocol?.[sub.protocol] ?? message.message;
      return matchesFilterPolicy(parseFilterPolicy(text, scope), scope, body, message.attributes);
    } catch {
      return false;
    }
  }

  // ---- helpers ----

  /** Refuses a subscription whose target service this cloud does not serve, naming it. */
  private checkTargetServed(protocol: string): void {
    if ((protocol === 'sqs' || protocol === 'lambda') && !this.ctx.service(protocol)) {
      throw invalidParameter(`Endpoint Reason: ${protocol} is not served by this local cloud, so it cannot be subscribed`);
    }
  }

  private topic(input: Input): Topic {
    const arn = requiredString(input, 'TopicArn');
    if (!parseTopicArn(arn)) throw invalidParameter('TopicArn');
    const topic = this.store.topicByArn(arn);
    if (!topic) throw topicNotFound();
    return topic;
  }

  private taggedTopic(input: Input): Topic {
    const arn = requiredString(input, 'ResourceArn');
    if (!parseTopicArn(arn)) throw invalidParameter('ResourceArn');
    const topic = this.store.topicByArn(arn);
    if (!topic) throw resourceNotFound();
    return topic;
  }

  private subscription(input: Input): Subscription {
    const arn = requiredString(input, 'SubscriptionArn');
    if (!parseSubscriptionArn(arn)) throw invalidParameter('SubscriptionArn');
    const sub = this.store.subscription(arn);
    if (!sub) throw subscriptionNotFound();
    return sub;
  }

  private subscriptionPage(subs: Subscription[], input: Input) {
    const { page, next } = paginate(subs, optionalString(input, 'NextToken'), SNS_LIMITS.subscriptionsPerPage);
    return {
      Subscriptions: page.map((s) => ({
        SubscriptionArn: s.pendingConfirmation ? 'PendingConfirmation' : s.arn,
        Owner: s.owner,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: s.topicArn,
      })),
      NextToken: next,
    };
  }
}

const tagLimit = () => new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded', 400);

/** A page of `items` after the opaque token (the index to start at, base64), and the token of the next page. */
function paginate<T>(items: T[], token: string | undefined, size: number): { page: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter('NextToken');
    start = decoded;
  }
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return { page, next };
}
