/**
 * The event contract of the stream: a UTF-8 JSON object
 * `{"sensorid": string, "value": number, "timestamp": ISO-8601 string}`.
 *
 * Decoding never throws: a record either becomes a {@link SensorEvent} or a
 * {@link Rejection} with a stable reason code, so one bad record can be
 * skipped, logged and counted instead of failing (and blocking) the shard.
 */
import { parseIsoTimestamp } from './iso-timestamp.js';

/** Larger payloads are not sensor readings; refusing them bounds the work per record. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * Measured in UTF-8 bytes, not characters: this keeps the ID within DynamoDB's
 * key limits and its escaped CloudWatch dimension value (at most 3 characters
 * per byte) within CloudWatch's 1024.
 */
export const MAX_SENSOR_ID_BYTES = 256;

/**
 * CloudWatch accepts magnitudes between these two (and zero); DynamoDB accepts a
 * wider range. Enforcing the narrower one up front means a stored reading can
 * always be published as a metric too.
 */
export const MIN_VALUE_MAGNITUDE = 8.51592e-109;
export const MAX_VALUE_MAGNITUDE = 1.174271e108;

export const REJECT_REASONS = [
  'payload-too-large',
  'payload-not-utf8',
  'payload-not-json',
  'payload-not-object',
  'sensorid-missing',
  'sensorid-not-string',
  'sensorid-empty',
  'sensorid-too-long',
  'sensorid-malformed',
  'value-missing',
  'value-not-number',
  'value-not-finite',
  'value-out-of-range',
  'timestamp-missing',
  'timestamp-not-string',
  'timestamp-invalid',
  'timestamp-out-of-range',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  reason: RejectReason;
  /** Human-readable; never contains more than a short excerpt of the payload. */
  detail: string;
}

export interface SensorEvent {
  /** Exactly as sent: any UTF-8, never trimmed. */
  sensorId: string;
  value: number;
  /** The reading's time normalised to `YYYY-MM-DDTHH:mm:ss.sssZ`, so keys sort chronologically. */
  timestamp: string;
  /** The same instant in epoch milliseconds. */
  time: number;
}

export type DecodeResult = { ok: true; event: SensorEvent } | ({ ok: false } & Rejection);

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeSensorEvent(payload: Uint8Array): DecodeResult {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject('payload-too-large', `${payload.byteLength} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return reject('payload-not-utf8', 'payload is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return reject('payload-not-json', `${(error as Error).message}; payload starts ${excerpt(text)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return reject('payload-not-object', `payload is ${describe(parsed)}, not a JSON object`);
  }
  return validateSensorEvent(parsed as Record<string, unknown>);
}

export function validateSensorEvent(fields: Record<string, unknown>): DecodeResult {
  const sensorId = checkSensorId(fields.sensorid);
  if (typeof sensorId !== 'string') return { ok: false, ...sensorId };
  const value = checkValue(fields.value);
  if (typeof value !== 'number') return { ok: false, ...value };
  const time = checkTimestamp(fields.timestamp);
  if (typeof time !== 'number') return { ok: false, ...time };
  return { ok: true, event: { sensorId, value, timestamp: new Date(time).toISOString(), time } };
}

/** Also used by the query API, so a sensor that can be written can be queried and vice versa. */
export function checkSensorId(raw: unknown): string | Rejection {
  if (raw === undefined || raw === null) return rejection('sensorid-missing', 'sensorid is missing');
  if (typeof raw !== 'string') return rejection('sensorid-not-string', `sensorid is ${describe(raw)}, not a string`);
  if (raw.trim() === '') return rejection('sensorid-empty', 'sensorid is empty or blank');
  if (hasLoneSurrogate(raw)) {
    // The SDK would silently replace the lone half with U+FFFD: a different ID.
    return rejection('sensorid-malformed', 'sensorid contains an unpaired UTF-16 surrogate');
  }
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_SENSOR_ID_BYTES) {
    return rejection('sensorid-too-long', `sensorid is ${bytes} UTF-8 bytes, limit ${MAX_SENSOR_ID_BYTES}`);
  }
  return raw;
}

// Plain decimal notation with optional sign, fraction and exponent: what a person
// types into a form. Not hex, not "Infinity", not "1,5", not "" (Number('') is 0).
const NUMERIC_STRING = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Numbers are taken as they are. Numeric strings are accepted and converted:
 * the original test page sent its text field as a string, and devices built
 * against it may still do so.
 */
export function checkValue(raw: unknown): number | Rejection {
  if (raw === undefined || raw === null) return rejection('value-missing', 'value is missing');
  let value: number;
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string' && NUMERIC_STRING.test(raw.trim())) {
    value = Number(raw.trim());
  } else {
    return rejection('value-not-number', `value is ${describe(raw)}, not a number`);
  }
  // JSON.parse turns 1e999 into Infinity, and so does Number('1e999').
  if (!Number.isFinite(value)) return rejection('value-not-finite', `value ${excerpt(String(raw))} is not finite`);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < MIN_VALUE_MAGNITUDE || magnitude > MAX_VALUE_MAGNITUDE)) {
    return rejection('value-out-of-range', `value ${value} is outside the range CloudWatch accepts`);
  }
  // -0 would be stored as "0" but published as -0; make both agree.
  return value === 0 ? 0 : value;
}

export function checkTimestamp(raw: unknown): number | Rejection {
  if (raw === undefined || raw === null) return rejection('timestamp-missing', 'timestamp is missing');
  if (typeof raw !== 'string') return rejection('timestamp-not-string', `timestamp is ${describe(raw)}, not a string`);
  const time = parseIsoTimestamp(raw);
  if (time === undefined) return rejection('timestamp-invalid', `timestamp ${excerpt(raw)} is not an ISO-8601 date-time`);
  const year = new Date(time).getUTCFullYear();
  if (year < 0 || year > 9999) {
    // Outside these years toISOString() grows a sign and six digits and stops sorting.
    return rejection('timestamp-out-of-range', `timestamp ${raw} falls outside the years 0000-9999 in UTC`);
  }
  return time;
}

function reject(reason: RejectReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

function rejection(reason: RejectReason, detail: string): Rejection {
  return { reason, detail };
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${excerpt(value)}`;
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}

const EXCERPT_CHARS = 80;

function excerpt(text: string): string {
  return JSON.stringify(text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
}
