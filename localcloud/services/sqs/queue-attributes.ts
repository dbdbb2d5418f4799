import { AwsError } from '../../core/errors.js';
import { invalidAttributeName, invalidAttributeValue } from './errors.js';

/**
 * Queue attributes a client may set, with AWS's documented ranges and
 * defaults. Values travel as strings on both protocols and are kept as
 * strings, as SQS echoes them.
 */
export const MAX_MESSAGE_SIZE_LIMIT = 1_048_576;

interface IntegerAttribute {
  kind: 'integer';
  min: number;
  max: number;
}

type AttributeRule = IntegerAttribute | { kind: 'boolean' } | { kind: 'enum'; values: string[] } | { kind: 'json' } | { kind: 'text' };

const SETTABLE: Record<string, AttributeRule> = {
  DelaySeconds: { kind: 'integer', min: 0, max: 900 },
  MaximumMessageSize: { kind: 'integer', min: 1024, max: MAX_MESSAGE_SIZE_LIMIT },
  MessageRetentionPeriod: { kind: 'integer', min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { kind: 'integer', min: 0, max: 20 },
  VisibilityTimeout: { kind: 'integer', min: 0, max: 43_200 },
  Policy: { kind: 'json' },
  RedrivePolicy: { kind: 'json' },
  RedriveAllowPolicy: { kind: 'json' },
  KmsMasterKeyId: { kind: 'text' },
  KmsDataKeyReusePeriodSeconds: { kind: 'integer', min: 60, max: 86_400 },
  SqsManagedSseEnabled: { kind: 'boolean' },
  FifoQueue: { kind: 'boolean' },
  ContentBasedDeduplication: { kind: 'boolean' },
  DeduplicationScope: { kind: 'enum', values: ['messageGroup', 'queue'] },
  FifoThroughputLimit: { kind: 'enum', values: ['perQueue', 'perMessageGroupId'] },
};

/** Attributes only FIFO queues have. */
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Attributes SQS computes; GetQueueAttributes reports them, nobody sets them. */
export const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

export const ALL_ATTRIBUTE_NAMES = new Set<string>([...Object.keys(SETTABLE), ...COMPUTED_ATTRIBUTES]);

export function defaultAttributes(fifo: boolean): Record<string, string> {
  const defaults: Record<string, string> = {
    DelaySeconds: '0',
    MaximumMessageSize: String(MAX_MESSAGE_SIZE_LIMIT),
    MessageRetentionPeriod: '345600',
    ReceiveMessageWaitTimeSeconds: '0',
    VisibilityTimeout: '30',
    SqsManagedSseEnabled: 'true',
  };
  if (fifo) {
    Object.assign(defaults, { FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
  }
  return defaults;
}

/**
 * Checks attributes given to CreateQueue or SetQueueAttributes, each against
 * its range; names that are not settable are InvalidAttributeName. The
 * redrive policies, which name other queues, are checked by the caller.
 */
export function validateAttributes(attributes: Record<string, string>, fifo: boolean, creating: boolean): void {
  for (const [name, raw] of Object.entries(attributes)) {
    const rule = Object.hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
    if (!rule) throw invalidAttributeName(name);
    const value = String(raw);
    if (name === 'FifoQueue' && !creating) {
      throw invalidAttributeValue(name, 'Modifying queue type is not supported.');
    }
    if (FIFO_ONLY.has(name) && !fifo) throw invalidAttributeName(name);
    switch (rule.kind) {
      case 'integer':
        if (!/^-?\d+$/.test(value.trim()) || Number(value) < rule.min || Number(value) > rule.max) {
          throw invalidAttributeValue(name, `Must be an integer from ${rule.min} to ${rule.max}.`);
        }
        break;
      case 'boolean':
        if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name, 'Must be true or false.');
        break;
      case 'enum':
        if (!rule.values.includes(value)) throw invalidAttributeValue(name, `Must be one of ${rule.values.join(', ')}.`);
        break;
      case 'json':
        // An empty value removes the policy.
        if (value !== '' && parseJsonObject(value) === undefined) throw invalidAttributeValue(name, 'Must be a JSON object.');
        break;
      case 'text':
        break;
    }
  }
  if (attributes.FifoQueue === 'true' && !fifo) {
    throw invalidParameterQueueName();
  }
  if (attributes.FifoQueue === 'false' && fifo) {
    throw invalidAttributeValue('FifoQueue', 'The name of a FIFO queue must end with the .fifo suffix, and only FIFO queues may have it.');
  }
}

function invalidParameterQueueName(): AwsError {
  return new AwsError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An integer attribute's value (they are validated on the way in). */
export const intAttribute = (attributes: Record<string, string>, name: string): number => Number(attributes[name]);
