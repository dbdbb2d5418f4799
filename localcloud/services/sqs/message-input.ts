import { AwsError } from '../../core/errors.js';
import { invalidParameter, invalidValue } from './errors.js';
import type { StoredAttributeValue } from './md5.js';

/** A message attribute as it arrives on the wire (binary values base64, on both protocols). */
export interface WireAttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: unknown[];
  BinaryListValues?: unknown[];
}

export const MAX_MESSAGE_ATTRIBUTES = 10;

/** The characters SQS accepts in a body or attribute: XML's, #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
const INVALID_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function assertValidCharacters(text: string, what: string): void {
  if (INVALID_CHARACTER.test(text)) {
    throw new AwsError(
      'InvalidMessageContents',
      `Invalid characters found${what ? ` in ${what}` : ''}. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_\-.]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Validates message attributes (or system attributes, with `system`) and
 * returns them as stored plus the bytes they count toward the message size
 * (name, type and value, as AWS counts them).
 */
export function parseMessageAttributes(
  input: unknown,
  system = false,
): { attributes?: Record<string, StoredAttributeValue>; size: number } {
  if (input === undefined || input === null) return { size: 0 };
  if (typeof input !== 'object' || Array.isArray(input)) throw invalidParameter('The message attributes must be a map.');
  const entries = Object.entries(input as Record<string, WireAttributeValue>);
  if (entries.length === 0) return { size: 0 };
  if (!system && entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  const attributes: Record<string, StoredAttributeValue> = {};
  let size = 0;
  for (const [name, value] of entries) {
    if (system) {
      if (name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    } else {
      validateAttributeName(name);
    }
    if (value === null || typeof value !== 'object') throw invalidParameter(`The message attribute '${name}' must contain a non-empty value of type '${'String'}'.`);
    const dataType = value.DataType;
    if (!dataType) throw invalidParameter(`The message attribute '${name}' must contain a non-empty attribute type.`);
    if (!DATA_TYPE.test(dataType) || dataType.length > 256) {
      throw invalidParameter(`The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (system && dataType !== 'String') throw invalidParameter(`The message system attribute '${name}' must be of type 'String'.`);
    if (value.StringListValues?.length || value.BinaryListValues?.length) {
      throw invalidParameter(`Message attribute list values in SendMessage operation are not supported.`);
    }
    const baseType = dataType.split('.')[0];
    let stored: StoredAttributeValue;
    if (baseType === 'Binary') {
      if (typeof value.BinaryValue !== 'string' || value.BinaryValue === '') {
        throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      stored = { DataType: dataType, BinaryValue: Buffer.from(value.BinaryValue, 'base64') };
      size += stored.BinaryValue!.length;
    } else {
      if (typeof value.StringValue !== 'string' || value.StringValue === '') {
        throw invalidParameter(`The message attribute '${name}' with type '${baseType}' must use field 'String'.`);
      }
      if (baseType === 'Number' && !NUMBER.test(value.StringValue.trim())) {
        throw invalidParameter(`Could not cast message attribute '${name}' value to number.`);
      }
      assertValidCharacters(value.StringValue, `the message attribute '${name}'`);
      stored = { DataType: dataType, StringValue: value.StringValue };
      size += Buffer.byteLength(value.StringValue, 'utf8');
    }
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(dataType, 'utf8');
    attributes[name] = stored;
  }
  return { attributes, size };
}

function validateAttributeName(name: string): void {
  const reason = !ATTRIBUTE_NAME.test(name)
    ? 'can only contain alphanumeric characters, hyphens, underscores and periods, and be 1 to 256 characters long'
    : name.startsWith('.') || name.endsWith('.')
      ? 'must not start or end with a period (.)'
      : name.includes('..')
        ? 'must not have successive periods (..)'
        : /^(aws\.|amazon\.)/i.test(name)
          ? 'must not start with AWS-reserved prefixes "AWS." or "Amazon."'
          : undefined;
  if (reason) throw invalidValue('MessageAttributeName', name, `Message attribute name ${reason}.`);
}

/** Message attributes as they leave on the wire: binary values base64. */
export function wireAttributes(attributes: Record<string, StoredAttributeValue>): Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> {
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const [name, v] of Object.entries(attributes)) {
    out[name] = v.BinaryValue !== undefined ? { DataType: v.DataType, BinaryValue: v.BinaryValue.toString('base64') } : { DataType: v.DataType, StringValue: v.StringValue };
  }
  return out;
}
