import { invalidParameter, invalidParameterValue } from './errors.js';
import type { MessageAttribute } from './filter-policy.js';

/** SNS's message size limit: body and attributes together, 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;

/** Publish's (and each PublishBatch entry's) fields, checked. */
export interface PublishFields {
  message: string;
  subject?: string;
  perProtocol?: Record<string, string>;
  attributes: Record<string, MessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  /** Bytes counted against MAX_MESSAGE_BYTES. */
  size: number;
}

const DATA_TYPE = /^(String|Number|Binary)(\.[\w.-]+)?$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[\w.-]{1,256}$/;
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

/** Checks one message's fields as SNS does, with SNS's codes and messages. */
export function readPublishFields(input: Record<string, any>): PublishFields {
  const message = input.Message;
  if (typeof message !== 'string') throw invalidParameter('Message');
  if (message.length === 0) throw invalidParameter('Empty message');
  const subject = input.Subject;
  if (subject !== undefined) {
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 100 || !/^[\x20-\x7e]*$/.test(subject)) throw invalidParameter('Subject');
  }
  let perProtocol: Record<string, string> | undefined;
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== 'json') throw invalidParameter('MessageStructure');
    perProtocol = parseStructured(message);
  }
  const attributes = readAttributes(input.MessageAttributes);
  let size = Buffer.byteLength(message);
  for (const [name, a] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? '') + (a.BinaryValue ? Buffer.byteLength(String(a.BinaryValue), 'base64') : 0);
  }
  if (size > MAX_MESSAGE_BYTES) throw invalidParameter(`Message too long`);
  const groupId = input.MessageGroupId;
  if (groupId !== undefined && (typeof groupId !== 'string' || !GROUP_ID.test(groupId))) throw invalidParameter('MessageGroupId');
  const deduplicationId = input.MessageDeduplicationId;
  if (deduplicationId !== undefined && (typeof deduplicationId !== 'string' || !GROUP_ID.test(deduplicationId))) throw invalidParameter('MessageDeduplicationId');
  return { message, subject, perProtocol, attributes, groupId, deduplicationId, size };
}

/** MessageStructure=json: an object of strings with a `default` entry. */
function parseStructured(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  const entries = parsed as Record<string, unknown>;
  if (typeof entries.default !== 'string') throw invalidParameter('Message Structure - No default entry in JSON message body');
  const out: Record<string, string> = {};
  for (const [protocol, text] of Object.entries(entries)) {
    if (typeof text !== 'string') throw invalidParameter(`Message Structure - the ${protocol} entry must be a string`);
    out[protocol] = text;
  }
  return out;
}

function readAttributes(value: unknown): Record<string, MessageAttribute> {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || value === null) throw invalidParameter('MessageAttributes');
  const out: Record<string, MessageAttribute> = {};
  for (const [name, raw] of Object.entries(value as Record<string, any>)) {
    if (!ATTRIBUTE_NAME.test(name) || /^(aws|amazon)\./i.test(name)) {
      throw invalidParameterValue(`The message attribute name '${name}' is invalid.`);
    }
    const dataType = raw?.DataType;
    if (typeof dataType !== 'string' || dataType === '') throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    if (!DATA_TYPE.test(dataType)) {
      throw invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const binary = dataType.startsWith('Binary');
    const stringValue = raw.StringValue;
    const binaryValue = raw.BinaryValue;
    if (binary ? binaryValue === undefined || binaryValue === '' : typeof stringValue !== 'string' || stringValue === '') {
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    if (dataType.startsWith('Number') && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(stringValue)) {
      throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
    }
    if (dataType === 'String.Array') {
      let list: unknown;
      try {
        list = JSON.parse(stringValue);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list)) throw invalidParameterValue(`The message attribute '${name}' with type 'String.Array' has an invalid value: it must be a JSON array.`);
    }
    out[name] = binary ? { DataType: dataType, BinaryValue: binaryValue } : { DataType: dataType, StringValue: stringValue };
  }
  return out;
}
