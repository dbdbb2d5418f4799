/**
 * Validation of what a person types into the send form, with messages in
 * plain words. The rules are the event processor's own (same limits, same
 * strict ISO-8601 reader), so the page refuses exactly what the backend would
 * skip as malformed, before anything is sent.
 */
import { parseIsoTimestamp } from '../../../functions/shared/iso-timestamp.js';
import { MAX_SENSOR_ID_BYTES, MAX_VALUE_MAGNITUDE, MIN_VALUE_MAGNITUDE } from '../../../functions/shared/sensor-event.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** The wire format of the stream: the value is a JSON number, never a string. */
export interface SensorEventPayload {
  sensorid: string;
  value: number;
  timestamp: string;
}

// What a person types as a number: optional sign, digits, fraction, exponent.
// Not "", not "0x10", not "1,5", not "Infinity" (Number() would take some of these).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const encoder = new TextEncoder();

export function checkSensorId(text: string): Checked<string> {
  if (text.trim() === '') return { ok: false, message: 'Enter a sensor ID (any text, e.g. sensor-1).' };
  if (LONE_SURROGATE.test(text)) return { ok: false, message: 'The sensor ID contains a broken character (an unpaired UTF-16 surrogate).' };
  const bytes = encoder.encode(text).length;
  if (bytes > MAX_SENSOR_ID_BYTES) {
    return { ok: false, message: `The sensor ID is ${bytes} bytes in UTF-8; at most ${MAX_SENSOR_ID_BYTES} are allowed.` };
  }
  // Sent exactly as typed: IDs may be any UTF-8, spaces included.
  return { ok: true, value: text };
}

export function checkValue(text: string): Checked<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'Enter a value: a number such as 21.5.' };
  if (!DECIMAL.test(trimmed)) {
    return { ok: false, message: `“${excerpt(trimmed)}” is not a number. Enter digits such as 21.5, -3 or 1.2e3.` };
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, message: `${excerpt(trimmed)} is too large to be a number.` };
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < MIN_VALUE_MAGNITUDE || magnitude > MAX_VALUE_MAGNITUDE)) {
    return { ok: false, message: `${trimmed} is outside the range CloudWatch metrics accept (about 1e-108 to 1e108).` };
  }
  return { ok: true, value: value === 0 ? 0 : value };
}

/** Empty means now. A given timestamp is sent as typed (the backend normalises it), once it is known to be valid. */
export function checkTimestamp(text: string, now: () => Date = () => new Date()): Checked<string> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: now().toISOString() };
  const time = parseIsoTimestamp(trimmed);
  if (time === undefined) {
    return { ok: false, message: `“${excerpt(trimmed)}” is not an ISO-8601 date-time, e.g. 2024-05-01T12:30:00Z. Leave it empty for now.` };
  }
  const year = new Date(time).getUTCFullYear();
  if (year < 0 || year > 9999) return { ok: false, message: 'The timestamp must fall within the years 0000 to 9999 (UTC).' };
  return { ok: true, value: trimmed };
}

export interface SendFormInput {
  sensorId: string;
  value: string;
  timestamp: string;
}

export type FormCheck =
  | { ok: true; event: SensorEventPayload }
  | { ok: false; field: keyof SendFormInput; message: string };

/** The first problem wins: one clear message beats three at once. */
export function checkSendForm(input: SendFormInput, now?: () => Date): FormCheck {
  const sensorId = checkSensorId(input.sensorId);
  if (!sensorId.ok) return { ok: false, field: 'sensorId', message: sensorId.message };
  const value = checkValue(input.value);
  if (!value.ok) return { ok: false, field: 'value', message: value.message };
  const timestamp = checkTimestamp(input.timestamp, now);
  if (!timestamp.ok) return { ok: false, field: 'timestamp', message: timestamp.message };
  return { ok: true, event: { sensorid: sensorId.value, value: value.value, timestamp: timestamp.value } };
}

export function encodeEvent(event: SensorEventPayload): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
