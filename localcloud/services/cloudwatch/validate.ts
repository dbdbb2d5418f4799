import type { Dimension, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { toDate, toList, toNumber, toText } from './coerce.js';
import { invalidCombination, invalidValue, missingParameter } from './errors.js';
import type { NewSample } from './metric-store.js';
import type { Sample } from './statistics.js';

/**
 * PutMetricData's validation, with the limits and messages CloudWatch
 * documents: parameters are named by their query-protocol path
 * (`MetricData.member.2.Value`), as AWS names them for every client.
 */

export const UNITS: readonly StandardUnit[] = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second',
  'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second',
  'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as StandardUnit[];

export const MAX_DATUMS = 1000;
export const MAX_DIMENSIONS = 30;
export const MAX_VALUES = 150;
/** CloudWatch rejects magnitudes beyond 2^360. */
const MAX_MAGNITUDE = 2 ** 360;
const PAST_LIMIT_MS = 14 * 24 * 3600 * 1000;
const FUTURE_LIMIT_MS = 2 * 3600 * 1000;

export function validateNamespace(value: unknown, parameter = 'Namespace'): string {
  const namespace = toText(value);
  if (namespace === undefined || namespace === '') throw missingParameter(parameter);
  if (namespace.length > 255 || !/\S/.test(namespace) || namespace.startsWith('AWS/') || !/^[\x20-\x7e]+$/.test(namespace)) {
    throw invalidValue(`The value ${namespace} for parameter ${parameter} is invalid.`);
  }
  return namespace;
}

export function validateUnit(value: unknown, parameter: string): StandardUnit | undefined {
  const unit = toText(value);
  if (unit === undefined) return undefined;
  if (!(UNITS as readonly string[]).includes(unit)) {
    throw invalidValue(`The parameter ${parameter} must be a value in the set [ ${UNITS.join(', ')} ].`);
  }
  return unit as StandardUnit;
}

/** Dimensions as sent (Name/Value pairs), checked for presence, length and duplicates. */
export function validateDimensions(value: unknown, parameter: string, options: { valueRequired: boolean } = { valueRequired: true }): Dimension[] {
  const list = toList<any>(value) ?? [];
  if (list.length > MAX_DIMENSIONS) {
    throw invalidValue(`The collection ${parameter} must not have a size greater than ${MAX_DIMENSIONS}.`);
  }
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const at = `${parameter}.member.${i + 1}`;
    const name = toText(raw?.Name);
    const dimensionValue = toText(raw?.Value);
    if (!name) throw missingParameter(`${at}.Name`);
    if (name.length > 255) throw invalidValue(`The value for parameter ${at}.Name must not be longer than 255 characters.`);
    if (dimensionValue === undefined || dimensionValue === '') {
      if (options.valueRequired) throw missingParameter(`${at}.Value`);
    } else if (dimensionValue.length > 1024) {
      throw invalidValue(`The value for parameter ${at}.Value must not be longer than 1024 characters.`);
    }
    if (seen.has(name)) throw invalidValue(`The collection ${parameter} must not contain duplicate dimension names (${name}).`);
    seen.add(name);
    return { Name: name, Value: dimensionValue === '' ? undefined : dimensionValue };
  });
}

/** Valid periods: 1, 5, 10, 30 (high resolution) or any multiple of 60 seconds. */
export function validatePeriod(value: unknown, parameter: string): number {
  const period = toNumber(value);
  if (period === undefined) throw missingParameter(parameter);
  if (!Number.isInteger(period) || period < 1) throw invalidValue(`The parameter ${parameter} must be greater than 0.`);
  if (period >= 60 ? period % 60 !== 0 : ![1, 5, 10, 30].includes(period)) {
    throw invalidValue(`The parameter ${parameter} must be 1, 5, 10, 30, or a multiple of 60.`);
  }
  return period;
}

/** StartTime/EndTime as Dates, both required, start before end. */
export function validateTimeRange(start: unknown, end: unknown): { start: number; end: number } {
  const startDate = toDate(start);
  const endDate = toDate(end);
  if (!startDate) throw missingParameter('StartTime');
  if (!endDate) throw missingParameter('EndTime');
  if (Number.isNaN(startDate.getTime())) throw invalidValue('The parameter StartTime must be a valid timestamp.');
  if (Number.isNaN(endDate.getTime())) throw invalidValue('The parameter EndTime must be a valid timestamp.');
  if (startDate.getTime() >= endDate.getTime()) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  return { start: startDate.getTime(), end: endDate.getTime() };
}

/** Validates PutMetricData's MetricData and turns each datum into a storable sample. */
export function parseMetricData(value: unknown, now: number): NewSample[] {
  const data = toList<any>(value);
  if (!data || data.length === 0) throw missingParameter('MetricData');
  if (data.length > MAX_DATUMS) {
    throw invalidValue(`The collection MetricData must not have a size greater than ${MAX_DATUMS}.`);
  }
  return data.map((raw, i) => parseDatum(raw ?? {}, `MetricData.member.${i + 1}`, now));
}

function parseDatum(raw: any, at: string, now: number): NewSample {
  const metricName = toText(raw.MetricName);
  if (!metricName) throw missingParameter(`${at}.MetricName`);
  if (metricName.length > 255) throw invalidValue(`The value for parameter ${at}.MetricName must not be longer than 255 characters.`);
  const dimensions = validateDimensions(raw.Dimensions, `${at}.Dimensions`);
  const unit = validateUnit(raw.Unit, `${at}.Unit`) ?? 'None';

  const storageResolution = toNumber(raw.StorageResolution);
  if (storageResolution !== undefined && storageResolution !== 1 && storageResolution !== 60) {
    throw invalidValue(`The value ${raw.StorageResolution} for parameter ${at}.StorageResolution is invalid. Valid values are 1 and 60.`);
  }

  const timestamp = alignToResolution(parseTimestamp(raw.Timestamp, `${at}.Timestamp`, now), storageResolution ?? 60);
  const hasValue = toNumber(raw.Value) !== undefined;
  const hasValues = (toList(raw.Values)?.length ?? 0) > 0;
  const hasSet = raw.StatisticValues !== undefined && raw.StatisticValues !== null;
  if (hasValue && hasValues) {
    throw invalidCombination(`The parameters ${at}.Value and ${at}.Values are mutually exclusive and you have specified both.`);
  }
  if (hasValue && hasSet) {
    throw invalidCombination(`The parameters ${at}.Value and ${at}.StatisticValues are mutually exclusive and you have specified both.`);
  }
  if (hasValues && hasSet) {
    throw invalidCombination(`The parameters ${at}.Values and ${at}.StatisticValues are mutually exclusive and you have specified both.`);
  }
  if ((toList(raw.Counts)?.length ?? 0) > 0 && !hasValues) {
    throw invalidCombination(`The parameter ${at}.Counts can only be specified together with ${at}.Values.`);
  }

  let sample: Sample;
  if (hasValue) {
    const v = metricValue(raw.Value, `${at}.Value`);
    sample = { timestamp, unit, count: 1, sum: v, min: v, max: v };
  } else if (hasValues) {
    sample = distribution(raw, at, timestamp, unit);
  } else if (hasSet) {
    sample = statisticSet(raw.StatisticValues, `${at}.StatisticValues`, timestamp, unit);
  } else {
    throw invalidCombination(`At least one of the parameters ${at}.Value, ${at}.Values and ${at}.StatisticValues must be specified.`);
  }
  return { metricName, dimensions, sample };
}

/**
 * CloudWatch stores a datapoint at its storage resolution: standard-resolution
 * data on the minute, high-resolution data on the second (the timestamp
 * rounded down). A query whose EndTime was read a moment after the put, or
 * truncated to whole seconds by a CLI, then still finds it.
 */
export function alignToResolution(timestampMs: number, storageResolutionSeconds: number): number {
  const step = storageResolutionSeconds * 1000;
  return Math.floor(timestampMs / step) * step;
}

function parseTimestamp(value: unknown, parameter: string, now: number): number {
  const date = toDate(value);
  if (!date) return now;
  const t = date.getTime();
  if (Number.isNaN(t)) throw invalidValue(`The value ${String(value)} for parameter ${parameter} is not a valid timestamp.`);
  if (t < now - PAST_LIMIT_MS) throw invalidValue(`The parameter ${parameter} must specify a time no more than two weeks in the past.`);
  if (t > now + FUTURE_LIMIT_MS) throw invalidValue(`The parameter ${parameter} must specify a time no more than two hours in the future.`);
  return t;
}

function metricValue(value: unknown, parameter: string): number {
  const v = toNumber(value);
  if (v === undefined) throw missingParameter(parameter);
  if (!Number.isFinite(v) || Math.abs(v) > MAX_MAGNITUDE) throw invalidValue(`The value ${String(value)} for parameter ${parameter} is invalid.`);
  return v;
}

function distribution(raw: any, at: string, timestamp: number, unit: string): Sample {
  const rawValues = toList(raw.Values)!;
  const rawCounts = toList(raw.Counts);
  if (rawValues.length > MAX_VALUES) {
    throw invalidValue(`The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`);
  }
  if (rawCounts && rawCounts.length > 0 && rawCounts.length !== rawValues.length) {
    throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
  }
  const values = rawValues.map((v, i) => metricValue(v, `${at}.Values.member.${i + 1}`));
  const counts = values.map((_, i) => {
    if (!rawCounts || rawCounts.length === 0) return 1;
    const c = toNumber(rawCounts[i]);
    if (c === undefined || !Number.isFinite(c) || c < 0) {
      throw invalidValue(`The value ${String(rawCounts[i])} for parameter ${at}.Counts.member.${i + 1} is invalid.`);
    }
    return c;
  });
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  values.forEach((v, i) => {
    if (counts[i] === 0) return;
    count += counts[i];
    sum += v * counts[i];
    min = Math.min(min, v);
    max = Math.max(max, v);
  });
  if (count === 0) {
    // Every count was zero: the datum says "no observations"; keep the bounds sane.
    min = max = 0;
  }
  return { timestamp, unit, count, sum, min, max, values, counts: rawCounts && rawCounts.length > 0 ? counts : undefined };
}

function statisticSet(raw: any, at: string, timestamp: number, unit: string): Sample {
  const count = metricValue(raw.SampleCount, `${at}.SampleCount`);
  const sum = metricValue(raw.Sum, `${at}.Sum`);
  const min = metricValue(raw.Minimum, `${at}.Minimum`);
  const max = metricValue(raw.Maximum, `${at}.Maximum`);
  if (count <= 0) throw invalidValue(`The value ${count} for parameter ${at}.SampleCount is invalid; it must be greater than 0.`);
  if (min > max) throw invalidValue(`The parameter ${at}.Minimum must be less than or equal to ${at}.Maximum.`);
  return { timestamp, unit, count, sum, min, max };
}
