/** How a validated reading becomes a SensorDataTable item. */
import type { AttributeValue, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { SensorEvent } from '../shared/sensor-event.js';

/**
 * Item shape, as the original stored it: `SensorId` (S, hash key),
 * `Timestamp` (S, range key), `Value` — now always N, where the original
 * stored whatever JSON type arrived (the test page sent strings).
 */
export function sensorItem(event: SensorEvent): Record<string, AttributeValue> {
  return {
    SensorId: { S: event.sensorId },
    Timestamp: { S: event.timestamp },
    Value: { N: dynamoNumber(event.value) },
  };
}

export function putRequest(event: SensorEvent): WriteRequest {
  return { PutRequest: { Item: sensorItem(event) } };
}

/**
 * A finite number in plain decimal notation. JavaScript writes 1e21 and 1e-7 in
 * exponent form; plain digits are the one notation every DynamoDB
 * implementation parses the same way, and a double never carries more than
 * 17 significant digits (DynamoDB allows 38).
 */
export function dynamoNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be stored as a DynamoDB number`);
  const text = String(value === 0 ? 0 : value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest = '', exp] = match;
  const digits = lead + rest;
  const point = 1 + Number(exp); // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export interface Deduplicated<T> {
  unique: T[];
  /** How many entries were superseded by a later one with the same key. */
  superseded: number;
}

/**
 * Keeps the last event per (SensorId, Timestamp). BatchWriteItem rejects a
 * whole call that names one key twice, which in the original failed the
 * batch on every retry, forever. Later records win because the stream is in
 * order: the last one is what a sequence of single writes would have left.
 * Producer retries make such duplicates common, so this is not an error.
 */
export function dedupeLastWins<T extends { event: SensorEvent }>(entries: readonly T[]): Deduplicated<T> {
  const byKey = new Map<string, T>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.event.sensorId, entry.event.timestamp]);
    byKey.delete(key); // re-insert so the survivor takes the later position
    byKey.set(key, entry);
  }
  return { unique: [...byKey.values()], superseded: entries.length - byKey.size };
}
