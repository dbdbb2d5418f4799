/** What the event processor publishes to CloudWatch, and in which portions. */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  INVALID_EVENTS_METRIC_NAME,
  REASON_DIMENSION,
  SENSOR_DIMENSION,
  SENSOR_METRIC_NAME,
} from '../shared/constants.js';
import type { RejectReason, SensorEvent } from '../shared/sensor-event.js';

/** PutMetricData's limit on datums per call. */
export const MAX_DATUMS_PER_CALL = 1000;
/**
 * PutMetricData requests are limited to 1 MB. Datums are estimated by their
 * JSON size; half the limit leaves room for the protocol's own overhead.
 */
export const MAX_ESTIMATED_BYTES_PER_CALL = 512 * 1024;

/** CloudWatch accepts data points from two weeks ago up to two hours ahead; keep a minute's margin on both sides. */
const MAX_AGE_MS = 14 * 24 * 3600_000 - 60_000;
const MAX_AHEAD_MS = 2 * 3600_000 - 60_000;

export function sensorDatum(event: SensorEvent): MetricDatum {
  return {
    MetricName: SENSOR_METRIC_NAME,
    Dimensions: [{ Name: SENSOR_DIMENSION, Value: dimensionValue(event.sensorId) }],
    Timestamp: new Date(event.time),
    Value: event.value,
  };
}

/**
 * Whether CloudWatch would take a data point at `time`. A reading outside the
 * window is still stored in DynamoDB; only its metric is left out, because one
 * such datum would make CloudWatch reject the whole call.
 */
export function withinMetricWindow(time: number, now: number): boolean {
  return time >= now - MAX_AGE_MS && time <= now + MAX_AHEAD_MS;
}

/**
 * CloudWatch dimension values must be printable ASCII, while sensor IDs may be
 * any UTF-8. Bytes outside printable ASCII — and `%` itself, so the mapping
 * stays reversible — are percent-encoded as UTF-8. ASCII IDs without `%`, the
 * common case, appear unchanged; `decodeURIComponent` recovers the original.
 */
export function dimensionValue(sensorId: string): string {
  let out = '';
  for (const char of sensorId) {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f && char !== '%') {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * `InvalidEvents` twice: once without dimensions, so the total is a single
 * metric to graph or alarm on, and once per `Reason`, to see what is wrong.
 */
export function invalidEventDatums(countsByReason: ReadonlyMap<RejectReason, number>, now: number): MetricDatum[] {
  const total = [...countsByReason.values()].reduce((sum, count) => sum + count, 0);
  if (total === 0) return [];
  const timestamp = new Date(now);
  const datums: MetricDatum[] = [
    { MetricName: INVALID_EVENTS_METRIC_NAME, Timestamp: timestamp, Value: total, Unit: 'Count' },
  ];
  for (const [reason, count] of [...countsByReason].sort(([a], [b]) => a.localeCompare(b))) {
    datums.push({
      MetricName: INVALID_EVENTS_METRIC_NAME,
      Dimensions: [{ Name: REASON_DIMENSION, Value: reason }],
      Timestamp: timestamp,
      Value: count,
      Unit: 'Count',
    });
  }
  return datums;
}

/** Splits datums into PutMetricData calls that respect both the count and the size limit. */
export function metricCalls(
  datums: readonly MetricDatum[],
  maxDatums = MAX_DATUMS_PER_CALL,
  maxBytes = MAX_ESTIMATED_BYTES_PER_CALL,
): MetricDatum[][] {
  const calls: MetricDatum[][] = [];
  let current: MetricDatum[] = [];
  let bytes = 0;
  for (const datum of datums) {
    const size = JSON.stringify(datum).length;
    if (current.length > 0 && (current.length >= maxDatums || bytes + size > maxBytes)) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(datum);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
