import type {
  AddPermissionRequest,
  ChangeMessageVisibilityBatchRequest,
  ChangeMessageVisibilityRequest,
  CreateQueueRequest,
  DeleteMessageBatchRequest,
  DeleteMessageRequest,
  DeleteQueueRequest,
  GetQueueAttributesRequest,
  GetQueueUrlRequest,
  ListDeadLetterSourceQueuesRequest,
  ListQueuesRequest,
  ListQueueTagsRequest,
  PurgeQueueRequest,
  ReceiveMessageRequest,
  RemovePermissionRequest,
  SetQueueAttributesRequest,
  TagQueueRequest,
  UntagQueueRequest,
} from '@aws-sdk/client-sqs';
import { AwsError } from '../../core/errors.js';
import type { ServiceRequest } from '../../core/types.js';
import { invalidParameter, invalidValue, missingParameter, overLimit, queueDoesNotExist } from './errors.js';
import { BatchEntries } from './batch.js';
import { addPermissionStatement, removePermissionStatement } from './permissions-policy.js';
import { COMPUTED_ATTRIBUTES, ALL_ATTRIBUTE_NAMES, validateAttributes } from './queue-attributes.js';
import { Queue, type QueueIdentity } from './queue.js';
import type { QueueSignals } from './queue-signals.js';
import { QueueStore } from './queue-store.js';
import { isValidQueueName, parseQueueArn, parseQueueUrl, queueUrl } from './queue-url.js';
import { checkRedrivePolicies, deadLetterTarget } from './redrive.js';
import { MessageReceiver, type ReceiveInput } from './receive.js';
import { MessageSender, type SendInput } from './send.js';
import { decodeReceiptHandle } from './receipt-handle.js';
import { invalidAttributeName, messageNotInflight, receiptHandleIsInvalid, stringList } from './errors.js';

/**
 * Bounds that keep one cloud's memory in check. AWS has no backlog limit; a
 * local cloud holding every message in memory needs one, and says so with
 * OverLimit rather than growing until the process dies.
 */
export const SQS_LIMITS = {
  queuesPerRegion: 1000,
  messagesPerQueue: 100_000,
  bytesPerQueue: 256 * 1024 * 1024,
  tagsPerQueue: 50,
} as const;

const PURGE_COOLDOWN_MS = 60_000;
const MAX_VISIBILITY_TIMEOUT = 43_200;

export interface SqsOperationsOptions {
  store: QueueStore;
  signals: QueueSignals;
  /** True once the cloud is stopping: long polls return at once. */
  stopping: () => boolean;
  now?: () => number;
}

/** The value of `ctx`-independent input: the caller's account and region, and how it reached the cloud. */
type Caller = Pick<ServiceRequest, 'accountId' | 'region' | 'endpoint' | 'principal' | 'accessKeyId'> & { signal?: AbortSignal };

/**
 * The SQS API over the queue store. Inputs and outputs are the JSON
 * protocol's shapes (the SDK v3 request and response types, binary values
 * base64); the query protocol layer translates to and from them.
 */
export class SqsOperations {
  private readonly store: QueueStore;
  private readonly signals: QueueSignals;
  private readonly now: () => number;
  private readonly sender: MessageSender;
  private readonly receiver: MessageReceiver;

  constructor(options: SqsOperationsOptions) {
    this.store = options.store;
    this.signals = options.signals;
    this.now = options.now ?? Date.now;
    const limits = { messagesPerQueue: SQS_LIMITS.messagesPerQueue, bytesPerQueue: SQS_LIMITS.bytesPerQueue };
    this.sender = new MessageSender(this.store, this.signals, this.now, limits);
    this.receiver = new MessageReceiver(this.store, this.signals, this.now, options.stopping);
  }

  /** The queue a QueueUrl names, which must exist. */
  queueOf(url: unknown, caller: Caller): Queue {
    if (typeof url !== 'string' || url === '') throw missingParameter('QueueUrl');
    const id = parseQueueUrl(url, caller.region);
    if (!id) throw new AwsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 404);
    const queue = this.store.get(id);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  CreateQueue(input: CreateQueueRequest, caller: Caller) {
    const name = input.QueueName;
    if (typeof name !== 'string' || name === '') throw missingParameter('QueueName');
    if (!isValidQueueName(name)) {
      throw invalidParameter(
        name.endsWith('.fifo') || input.Attributes?.FifoQueue === 'true'
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const fifo = name.endsWith('.fifo');
    const attributes = stringMap(input.Attributes, 'Attributes');
    if (fifo && attributes.FifoQueue === undefined) {
      // A .fifo name without FifoQueue=true is refused by AWS: the name alone does not make a FIFO queue.
      throw invalidParameter('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
    }
    validateAttributes(attributes, fifo, true);
    const id: QueueIdentity = { accountId: caller.accountId, region: caller.region, name };
    checkRedrivePolicies(this.store, id, fifo, attributes);
    const tags = stringMap(input.tags, 'tags');
    if (Object.keys(tags).length > SQS_LIMITS.tagsPerQueue) throw invalidParameter(`Too many tags added for queue ${name}.`);

    const existing = this.store.get(id);
    if (existing) {
      for (const [attribute, value] of Object.entries(attributes)) {
        if (existing.attributes[attribute] !== value) {
          throw new AwsError('QueueAlreadyExists', `A queue already exists with the same name and a different value for attribute ${attribute}`);
        }
      }
      return { QueueUrl: queueUrl(caller.endpoint, id) };
    }
    if (this.store.count(caller.accountId, caller.region) >= SQS_LIMITS.queuesPerRegion) {
      throw overLimit(`localcloud holds at most ${SQS_LIMITS.queuesPerRegion} queues per account and Region.`);
    }
    const queue = new Queue(id, attributes, this.now());
    queue.tags = tags;
    this.store.put(queue);
    return { QueueUrl: queueUrl(caller.endpoint, id) };
  }

  GetQueueUrl(input: GetQueueUrlRequest, caller: Caller) {
    if (typeof input.QueueName !== 'string' || input.QueueName === '') throw missingParameter('QueueName');
    const accountId = input.QueueOwnerAWSAccountId || caller.accountId;
    const id = { accountId, region: caller.region, name: input.QueueName };
    if (!this.store.get(id)) throw queueDoesNotExist();
    return { QueueUrl: queueUrl(caller.endpoint, id) };
  }

  ListQueues(input: ListQueuesRequest, caller: Caller) {
    const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
    const max = optionalInteger(input.MaxResults, 'MaxResults', 1, 1000);
    if (input.NextToken !== undefined && max === undefined) {
      throw invalidParameter('MaxResults is a mandatory parameter when you provide a value for NextToken.');
    }
    const names = this.store.list(caller.accountId, caller.region).map((q) => q.id.name).filter((n) => n.startsWith(prefix));
    return paginate(names, max, input.NextToken, (page, nextToken) => ({
      ...(page.length > 0 ? { QueueUrls: page.map((name) => queueUrl(caller.endpoint, { ...caller, name })) } : {}),
      ...(nextToken ? { NextToken: nextToken } : {}),
    }));
  }

  DeleteQueue(input: DeleteQueueRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    this.store.delete(queue.id);
    // Long polls on the deleted queue return (empty) at once.
    this.signals.notify(QueueStore.keyOf(queue.id));
    return {};
  }

  GetQueueAttributes(input: GetQueueAttributesRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const requested = (stringList(input.AttributeNames, 'AttributeNames') ?? []) as string[];
    for (const name of requested) {
      if (name !== 'All' && !ALL_ATTRIBUTE_NAMES.has(name)) throw invalidAttributeName(name);
    }
    const all = requested.includes('All');
    const values = this.attributeValues(queue);
    const picked: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      if (all || requested.includes(name)) picked[name] = value;
    }
    return Object.keys(picked).length > 0 ? { Attributes: picked } : {};
  }

  /** Every attribute the queue has, stored and computed. */
  attributeValues(queue: Queue): Record<string, string> {
    const now = this.now();
    queue.expire(now);
    const counts = queue.counts(now);
    const computed: Record<(typeof COMPUTED_ATTRIBUTES)[number], string> = {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedTimestamp / 1000)),
      QueueArn: queue.arn,
    };
    return { ...computed, ...queue.attributes };
  }

  SetQueueAttributes(input: SetQueueAttributesRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    if (input.Attributes === undefined) throw missingParameter('Attributes');
    const attributes = stringMap(input.Attributes, 'Attributes');
    validateAttributes(attributes, queue.fifo, false);
    checkRedrivePolicies(this.store, queue.id, queue.fifo, attributes);
    for (const [name, value] of Object.entries(attributes)) {
      // An empty Policy or redrive policy removes it, as on AWS.
      if (value === '' && (name === 'Policy' || name === 'RedrivePolicy' || name === 'RedriveAllowPolicy')) delete queue.attributes[name];
      else queue.attributes[name] = value;
    }
    queue.lastModifiedTimestamp = this.now();
    this.store.changed();
    // A shorter delay or retention changes what a waiting receive may take.
    this.signals.notify(QueueStore.keyOf(queue.id));
    return {};
  }

  SendMessage(input: SendInput, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    return this.sender.send(queue, input, senderIdOf(caller));
  }

  SendMessageBatch(input: { QueueUrl?: string; Entries?: (SendInput & { Id?: string })[] }, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const entries = new BatchEntries('SendMessageBatchRequestEntry', input.Entries);
    const totalSize = entries.items.reduce((sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody ?? ''), 'utf8'), 0);
    if (totalSize > Number(queue.attributes.MaximumMessageSize)) {
      throw new AwsError(
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${queue.attributes.MaximumMessageSize} bytes. You have sent ${totalSize} bytes.`,
      );
    }
    return entries.run((entry) => {
      const { Id: _id, ...message } = entry;
      return this.sender.send(queue, message, senderIdOf(caller));
    });
  }

  ReceiveMessage(input: ReceiveMessageRequest & ReceiveInput, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    return this.receiver.receive(queue, input, caller.signal);
  }

  DeleteMessage(input: DeleteMessageRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    this.deleteMessage(queue, input.ReceiptHandle);
    return {};
  }

  DeleteMessageBatch(input: DeleteMessageBatchRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const entries = new BatchEntries('DeleteMessageBatchRequestEntry', input.Entries);
    return entries.run((entry) => {
      this.deleteMessage(queue, entry.ReceiptHandle);
      return {};
    });
  }

  private deleteMessage(queue: Queue, receiptHandle: unknown): void {
    if (typeof receiptHandle !== 'string' || receiptHandle === '') throw missingParameter('ReceiptHandle');
    const handle = decodeReceiptHandle(receiptHandle);
    if (!handle || QueueStore.keyOf(handle.queue) !== QueueStore.keyOf(queue.id)) throw receiptHandleIsInvalid(receiptHandle);
    const message = queue.find(handle.messageId);
    // A message already deleted (or expired) deletes again without complaint, as on AWS.
    if (!message) return;
    queue.remove(message);
    this.store.changed();
    if (queue.fifo) this.signals.notify(QueueStore.keyOf(queue.id)); // its group is unlocked
  }

  ChangeMessageVisibility(input: ChangeMessageVisibilityRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    this.changeVisibility(queue, input.ReceiptHandle, input.VisibilityTimeout);
    return {};
  }

  ChangeMessageVisibilityBatch(input: ChangeMessageVisibilityBatchRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const entries = new BatchEntries('ChangeMessageVisibilityBatchRequestEntry', input.Entries);
    return entries.run((entry) => {
      this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout);
      return {};
    });
  }

  private changeVisibility(queue: Queue, receiptHandle: unknown, timeout: unknown): void {
    if (typeof receiptHandle !== 'string' || receiptHandle === '') throw missingParameter('ReceiptHandle');
    if (timeout === undefined || timeout === null || timeout === '') throw missingParameter('VisibilityTimeout');
    const seconds = optionalInteger(timeout, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT, 'VisibilityTimeout must be >= 0 and <= 43200')!;
    const handle = decodeReceiptHandle(receiptHandle);
    if (!handle || QueueStore.keyOf(handle.queue) !== QueueStore.keyOf(queue.id)) throw receiptHandleIsInvalid(receiptHandle);
    const now = this.now();
    const message = queue.find(handle.messageId);
    if (!message || message.receiveCount === 0 || message.visibleAt <= now) throw messageNotInflight();
    message.visibleAt = now + seconds * 1000;
    this.store.changed();
    if (seconds === 0) this.signals.notify(QueueStore.keyOf(queue.id));
  }

  PurgeQueue(input: PurgeQueueRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const now = this.now();
    if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_COOLDOWN_MS) {
      throw new AwsError(
        'AWS.SimpleQueueService.PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.id.name} is allowed every 60 seconds.`,
        403,
      );
    }
    queue.purge(now);
    this.store.changed();
    return {};
  }

  ListDeadLetterSourceQueues(input: ListDeadLetterSourceQueuesRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const max = optionalInteger(input.MaxResults, 'MaxResults', 1, 1000);
    const sources = [...this.store.all()]
      .filter((q) => deadLetterTarget(q)?.arn === queue.arn)
      .map((q) => q.id)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return paginate(sources, max, input.NextToken, (page, nextToken) => ({
      queueUrls: page.map((id) => queueUrl(caller.endpoint, id)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    }));
  }

  TagQueue(input: TagQueueRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const tags = stringMap(input.Tags, 'Tags');
    if (Object.keys(tags).length === 0) throw missingParameter('Tags');
    const merged = { ...queue.tags, ...tags };
    if (Object.keys(merged).length > SQS_LIMITS.tagsPerQueue) throw invalidParameter(`Too many tags added for queue ${queue.id.name}.`);
    queue.tags = merged;
    this.store.changed();
    return {};
  }

  UntagQueue(input: UntagQueueRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const keys = stringList(input.TagKeys, 'TagKeys');
    if (!keys || keys.length === 0) throw missingParameter('TagKeys');
    for (const key of keys) delete queue.tags[key];
    this.store.changed();
    return {};
  }

  ListQueueTags(input: ListQueueTagsRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
  }

  AddPermission(input: AddPermissionRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    queue.attributes.Policy = addPermissionStatement(queue, input);
    queue.lastModifiedTimestamp = this.now();
    this.store.changed();
    return {};
  }

  RemovePermission(input: RemovePermissionRequest, caller: Caller) {
    const queue = this.queueOf(input.QueueUrl, caller);
    const policy = removePermissionStatement(queue, input.Label);
    if (policy === undefined) delete queue.attributes.Policy;
    else queue.attributes.Policy = policy;
    queue.lastModifiedTimestamp = this.now();
    this.store.changed();
    return {};
  }

  /** The queue an ARN names, for in-process readers (Lambda's poller) and resource policies. */
  queueByArn(arn: string): Queue | undefined {
    const id = parseQueueArn(arn);
    return id && this.store.get(id);
  }
}

/** A string-to-string map parameter (attributes, tags); anything else is a client error. */
function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${name} must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw invalidValue(name, key, 'Values must be strings.');
    out[key] = String(v);
  }
  return out;
}

/** An optional integer parameter within [min, max]; the query protocol sends numbers as text. */
export function optionalInteger(value: unknown, name: string, min: number, max: number, reason?: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw invalidValue(name, value, reason ?? `Must be between ${min} and ${max}, if provided.`);
  }
  return number;
}

/** Pages of a sorted list; the token is the index of the next item, opaque to clients. */
function paginate<T, R>(items: T[], max: number | undefined, token: unknown, shape: (page: T[], nextToken?: string) => R): R {
  let start = 0;
  if (token !== undefined && token !== null && token !== '') {
    const decoded = typeof token === 'string' ? Number(Buffer.from(token, 'base64').toString('utf8')) : NaN;
    if (!Number.isInteger(decoded) || decoded < 0) throw invalidParameter('Invalid NextToken value.');
    start = decoded;
  }
  const limit = max ?? 1000;
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length && max !== undefined ? Buffer.from(String(start + limit)).toString('base64') : undefined;
  return shape(page, next);
}

/** SenderId as AWS reports it: the IAM user's id, the role session's `<role id>:<session>`, or the account. */
function senderIdOf(caller: Caller): string {
  const principal = caller.principal;
  if (principal?.kind === 'user' || principal?.kind === 'assumed-role') return principal.userId;
  return caller.accountId;
}
