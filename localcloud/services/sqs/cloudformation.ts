/**
 * AWS::SQS::Queue and AWS::SQS::QueuePolicy, provisioned through the SQS API
 * like any client would. A queue's Ref is its URL, as on AWS.
 */
import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand, UntagQueueCommand } from '@aws-sdk/client-sqs';
import { policyJson, removedTagKeys, ResourceFailure, tagMap, type Properties, type ResourceProvider, type ResourceRequest } from '../cloudformation/provider.js';
import { defaultAttributes } from './queue-attributes.js';
import { parseQueueUrl, queueArn } from './queue-url.js';

/** Template properties that are queue attributes, each as SQS spells it. */
const ATTRIBUTE_PROPERTIES = [
  'ContentBasedDeduplication', 'DeduplicationScope', 'DelaySeconds', 'FifoThroughputLimit', 'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'RedriveAllowPolicy',
  'RedrivePolicy', 'SqsManagedSseEnabled', 'VisibilityTimeout',
] as const;

const KNOWN_PROPERTIES = new Set<string>([...ATTRIBUTE_PROPERTIES, 'QueueName', 'FifoQueue', 'Tags']);

/** The queue attributes a template's properties ask for; JSON policies may be objects in the template. */
function attributesOf(p: Properties): Record<string, string> {
  const unknown = Object.keys(p).filter((name) => !KNOWN_PROPERTIES.has(name));
  if (unknown.length > 0) throw new ResourceFailure(`Properties validation failed for resource: extraneous key [${unknown.join(', ')}] is not permitted`);
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTE_PROPERTIES) {
    const value = p[name];
    if (value === undefined || value === null) continue;
    attributes[name] = typeof value === 'object' ? policyJson(value) : String(value);
  }
  return attributes;
}

const isFifo = (p: Properties) => p.FifoQueue === true || String(p.FifoQueue).toLowerCase() === 'true';

/** A generated name as CloudFormation makes one for a queue: `<stack>-<LogicalId>-<RANDOM>`, `.fifo` for FIFO queues. */
function queueNameFor(request: ResourceRequest): string {
  const p = request.properties;
  if (p.QueueName) return String(p.QueueName);
  return isFifo(p) ? `${request.physicalName({ maxLength: 75 })}.fifo` : request.physicalName({ maxLength: 80 });
}

function queueAttributes(url: string, region: string): Record<string, string> {
  const id = parseQueueUrl(url, region);
  if (!id) throw new ResourceFailure(`${url} is not a queue URL`);
  return { Arn: queueArn(id), QueueName: id.name, QueueUrl: url };
}

const isMissingQueue = (err: unknown) => (err as { name?: string }).name === 'QueueDoesNotExist';

const queue: ResourceProvider = {
  type: 'AWS::SQS::Queue',
  attributes: ['Arn', 'QueueName', 'QueueUrl'],
  nameProperty: 'QueueName',
  replaceOnChange: ['QueueName', 'FifoQueue'],
  async create(request) {
    const { properties: p } = request;
    const attributes = attributesOf(p);
    if (isFifo(p)) attributes.FifoQueue = 'true';
    const tags = tagMap(p.Tags);
    const sqs = request.client(SQSClient);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: queueNameFor(request),
        Attributes: attributes,
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
      }),
    );
    return { physicalId: QueueUrl!, attributes: queueAttributes(QueueUrl!, request.stack.region) };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: url } = request;
    const sqs = request.client(SQSClient);
    const next = attributesOf(p);
    const before = attributesOf(old);
    const defaults = defaultAttributes(isFifo(p));
    const changed: Record<string, string> = {};
    for (const name of ATTRIBUTE_PROPERTIES) {
      if (next[name] === before[name]) continue;
      // A property removed from the template goes back to SQS's default (policies: none).
      changed[name] = next[name] ?? defaults[name] ?? '';
    }
    if (Object.keys(changed).length > 0) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changed }));
    const removed = removedTagKeys(p.Tags, old.Tags);
    if (removed.length > 0) await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: removed }));
    const tags = tagMap(p.Tags);
    if (Object.keys(tags).length > 0) await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: tags }));
    return { physicalId: url, attributes: queueAttributes(url, request.stack.region) };
  },
  async delete(request) {
    const sqs = request.client(SQSClient);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: request.physicalId })).catch((err) => {
      if (!isMissingQueue(err)) throw err;
    });
  },
};

/** Sets (or, with undefined, removes) the Policy of each queue; queues already gone are skipped on removal. */
async function applyPolicy(request: ResourceRequest, urls: unknown, document: unknown): Promise<void> {
  if (!Array.isArray(urls)) throw new ResourceFailure('Properties validation failed for resource: Queues must be a list of queue URLs');
  const sqs = request.client(SQSClient);
  const policy = document === undefined ? '' : policyJson(document);
  for (const url of urls) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: String(url), Attributes: { Policy: policy } })).catch((err) => {
      if (!(document === undefined && isMissingQueue(err))) throw err;
    });
  }
}

const queuePolicy: ResourceProvider = {
  type: 'AWS::SQS::QueuePolicy',
  attributes: ['Id'],
  requiredProperties: ['Queues', 'PolicyDocument'],
  async create(request) {
    await applyPolicy(request, request.properties.Queues, request.properties.PolicyDocument);
    const physicalId = `${request.stack.stackName}-${request.logicalId}-${randomBytes(6).toString('hex').toUpperCase()}`;
    return { physicalId, attributes: { Id: physicalId } };
  },
  async update(request) {
    const { properties: p, previousProperties: old } = request;
    const dropped = ((old.Queues ?? []) as unknown[]).filter((url) => !((p.Queues ?? []) as unknown[]).includes(url));
    await applyPolicy(request, dropped, undefined);
    await applyPolicy(request, p.Queues, p.PolicyDocument);
    return { physicalId: request.physicalId, attributes: { Id: request.physicalId } };
  },
  async delete(request) {
    await applyPolicy(request, request.properties.Queues ?? [], undefined);
  },
};

export const resourceProviders: ResourceProvider[] = [queue, queuePolicy];
