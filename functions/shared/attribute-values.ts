/**
 * DynamoDB attribute values to plain JSON. Written out rather than taken from
 * util-dynamodb's `unmarshall`, which returns BigInt for large integers
 * (JSON.stringify throws on those) and Sets (which serialise as `{}`).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function itemToJson(item: Record<string, AttributeValue>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, attributeToJson(value)]));
}

/** Numbers become JSON numbers (nearest double), sets become arrays, binary becomes base64. */
export function attributeToJson(value: AttributeValue): JsonValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map((bytes) => Buffer.from(bytes).toString('base64'));
  if (value.L !== undefined) return value.L.map(attributeToJson);
  if (value.M !== undefined) return itemToJson(value.M);
  return null;
}
