import type { StateValue } from '@aws-sdk/client-cloudwatch';
import { breaches, type AlarmRecord } from './alarm-model.js';
import type { MetricStore } from './metric-store.js';
import { Aggregate } from './statistics.js';

/** What an evaluation concludes; `undefined` from `evaluateAlarm` keeps the current state (TreatMissingData=ignore). */
export interface Evaluation {
  value: StateValue;
  reason: string;
  /** JSON text, AWS's StateReasonData. */
  reasonData: string;
}

/** With TreatMissingData missing/ignore, CloudWatch looks back further than EvaluationPeriods for datapoints that exist. */
const EXTRA_LOOKBACK_PERIODS = 2;

/**
 * One evaluation of a metric alarm over stored datapoints, as CloudWatch
 * documents it: the statistic per period over the most recent periods (the
 * one containing `now` included, so a datapoint counts as soon as it is
 * put); ALARM when at least DatapointsToAlarm (M) of the EvaluationPeriods
 * (N) datapoints breach. Missing periods follow TreatMissingData:
 * `breaching`/`notBreaching` fill them in; `missing` (the default) and
 * `ignore` evaluate the N most recent datapoints that exist within a
 * slightly longer range, and when there are none `missing` goes to
 * INSUFFICIENT_DATA while `ignore` keeps the current state.
 */
export function evaluateAlarm(alarm: AlarmRecord, store: MetricStore, accountId: string, region: string, now: number): Evaluation | undefined {
  const { watched } = alarm;
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm ?? n;
  const periodMs = watched.period * 1000;
  const treat = alarm.treatMissingData ?? 'missing';
  const fills = treat === 'breaching' || treat === 'notBreaching';
  const rangePeriods = fills ? n : n + EXTRA_LOOKBACK_PERIODS;

  // Periods are aligned to the period from the epoch; index 0 is the period containing `now`.
  const currentStart = Math.floor(now / periodMs) * periodMs;
  const rangeStart = currentStart - (rangePeriods - 1) * periodMs;
  const values: (number | undefined)[] = new Array(rangePeriods).fill(undefined);
  const series = store.find(accountId, region, watched.namespace, watched.metricName, watched.dimensions);
  if (series) {
    const aggregates: (Aggregate | undefined)[] = new Array(rangePeriods).fill(undefined);
    for (const sample of series.samples) {
      if (sample.timestamp < rangeStart || sample.timestamp >= currentStart + periodMs) continue;
      if (watched.unit !== undefined && sample.unit !== watched.unit) continue;
      const index = Math.floor((currentStart - Math.floor(sample.timestamp / periodMs) * periodMs) / periodMs);
      (aggregates[index] ??= new Aggregate()).add(sample);
    }
    aggregates.forEach((aggregate, i) => (values[i] = aggregate?.statistic(watched.stat)));
  }

  const recentFirst = values.map((value, i) => ({ value, start: currentStart - i * periodMs }));
  const considered = fills ? recentFirst : recentFirst.filter((p) => p.value !== undefined).slice(0, n);
  const present = considered.filter((p): p is { value: number; start: number } => p.value !== undefined);
  const missing = considered.length - present.length + (fills ? 0 : n - considered.length);
  const presentBreaching = present.filter((p) => breaches(alarm, p.value)).length;
  const breaching = presentBreaching + (treat === 'breaching' ? missing : 0);

  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: isoWithOffset(now),
    startDate: isoWithOffset(rangeStart),
    statistic: watched.stat,
    period: watched.period,
    recentDatapoints: present.map((p) => p.value),
    threshold: alarm.threshold,
    evaluatedDatapoints: considered.map((p) => ({ timestamp: isoWithOffset(p.start), ...(p.value !== undefined ? { value: p.value } : {}) })),
  });
  const operator = describeOperator(alarm.comparisonOperator);
  const shown = `[${present.map((p) => `${formatNumber(p.value)} (${isoShort(p.start)})`).join(', ')}]`;

  if (breaching >= m) {
    return {
      value: 'ALARM',
      reason: `Threshold Crossed: ${breaching} out of the last ${n} datapoints ${shown} ${m === 1 && n === 1 ? 'was' : 'were'} ${operator} the threshold (${formatNumber(alarm.threshold)}) (minimum ${m} datapoint${m === 1 ? '' : 's'} for OK -> ALARM transition).`,
      reasonData,
    };
  }
  if (present.length === 0 && !fills) {
    if (treat === 'ignore') return undefined;
    return {
      value: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`,
      reasonData,
    };
  }
  return {
    value: 'OK',
    reason: `Threshold Crossed: ${present.length - presentBreaching + (treat === 'notBreaching' ? missing : 0)} out of the last ${n} datapoints ${shown} ${present.length === 1 ? 'was' : 'were'} not ${operator} the threshold (${formatNumber(alarm.threshold)}) (minimum ${n - m + 1} datapoint${n - m + 1 === 1 ? '' : 's'} for ALARM -> OK transition).`,
    reasonData,
  };
}

function describeOperator(operator: string): string {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return 'greater than or equal to';
    case 'GreaterThanThreshold':
      return 'greater than';
    case 'LessThanThreshold':
      return 'less than';
    default:
      return 'less than or equal to';
  }
}

const formatNumber = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/** CloudWatch writes times in state reason data as `2026-01-01T00:00:00.000+0000`. */
export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const isoShort = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ').replace(/-/g, '/').slice(2);
