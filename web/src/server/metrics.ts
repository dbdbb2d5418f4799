/**
 * The metrics view's data: the `Sensor` namespace, read by the page's server.
 *
 * The TestClient keys may only put records and invoke the API function, so the
 * browser cannot read CloudWatch itself; this server does, with the
 * administrator credentials it was started with.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  INVALID_EVENTS_METRIC_NAME,
  METRIC_NAMESPACE,
  SENSOR_DIMENSION,
  SENSOR_METRIC_NAME,
} from '../../../functions/shared/constants.js';
import type { MetricsResponse, SensorMetricSeries } from '../shared/api.js';

/** GetMetricData takes at most 500 queries; two per sensor leaves room for the total. */
export const MAX_SENSORS = 200;
/** ListMetrics pages of 500; more sensors than this is not a test page's job. */
const MAX_LIST_PAGES = 4;
const MAX_DATA_PAGES = 20;

export interface MetricsQuery {
  /** Length of the window ending now. */
  minutes: number;
  /** Seconds per data point. */
  period: number;
}

export const DEFAULT_METRICS_QUERY: MetricsQuery = { minutes: 15, period: 60 };

export class MetricsQueryError extends Error {
  override name = 'MetricsQueryError';
}

/** Reads `?minutes=&period=`, refusing values CloudWatch would refuse or that make no sense here. */
export function parseMetricsQuery(params: URLSearchParams): MetricsQuery {
  const minutes = integerParam(params, 'minutes', DEFAULT_METRICS_QUERY.minutes, 1, 24 * 60);
  const period = integerParam(params, 'period', DEFAULT_METRICS_QUERY.period, 60, 3600);
  if (period % 60 !== 0) throw new MetricsQueryError('period must be a multiple of 60 seconds');
  return { minutes, period };
}

function integerParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MetricsQueryError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export async function readSensorMetrics(
  cloudwatch: CloudWatchClient,
  query: MetricsQuery,
  now = Date.now(),
): Promise<MetricsResponse> {
  // Align the window to the period so consecutive refreshes show the same buckets.
  const periodMs = query.period * 1000;
  const end = Math.ceil((now + 1) / periodMs) * periodMs;
  const start = end - Math.ceil((query.minutes * 60_000) / periodMs) * periodMs;

  const { dimensionValues, truncated } = await listSensorDimensions(cloudwatch);
  const queries: MetricDataQuery[] = [
    {
      Id: 'invalid',
      MetricStat: {
        Metric: { Namespace: METRIC_NAMESPACE, MetricName: INVALID_EVENTS_METRIC_NAME },
        Period: query.period,
        Stat: 'Sum',
      },
    },
  ];
  dimensionValues.forEach((value, i) => {
    const metric = { Namespace: METRIC_NAMESPACE, MetricName: SENSOR_METRIC_NAME, Dimensions: [{ Name: SENSOR_DIMENSION, Value: value }] };
    queries.push({ Id: `count${i}`, MetricStat: { Metric: metric, Period: query.period, Stat: 'SampleCount' } });
    queries.push({ Id: `avg${i}`, MetricStat: { Metric: metric, Period: query.period, Stat: 'Average' } });
  });

  const results = await getAllMetricData(cloudwatch, queries, new Date(start), new Date(end));
  const sensors: SensorMetricSeries[] = dimensionValues.map((value, i) => {
    const counts = results.get(`count${i}`) ?? new Map<number, number>();
    const averages = results.get(`avg${i}`) ?? new Map<number, number>();
    const timestamps = [...counts.keys()].sort((a, b) => a - b);
    return {
      sensorId: sensorIdOf(value),
      dimensionValue: value,
      timestamps,
      samples: timestamps.map((t) => counts.get(t)!),
      averages: timestamps.map((t) => averages.get(t) ?? Number.NaN),
    };
  });
  sensors.sort((a, b) => a.sensorId.localeCompare(b.sensorId));
  const invalid = results.get('invalid') ?? new Map<number, number>();
  const invalidTimes = [...invalid.keys()].sort((a, b) => a - b);

  return {
    namespace: METRIC_NAMESPACE,
    metricName: SENSOR_METRIC_NAME,
    period: query.period,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    sensors,
    invalidEvents: { timestamps: invalidTimes, values: invalidTimes.map((t) => invalid.get(t)!) },
    truncated,
  };
}

async function listSensorDimensions(cloudwatch: CloudWatchClient): Promise<{ dimensionValues: string[]; truncated: boolean }> {
  const values = new Set<string>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await cloudwatch.send(
      new ListMetricsCommand({ Namespace: METRIC_NAMESPACE, MetricName: SENSOR_METRIC_NAME, NextToken: nextToken }),
    );
    for (const metric of page.Metrics ?? []) {
      const dimension = metric.Dimensions?.find((d) => d.Name === SENSOR_DIMENSION);
      if (dimension?.Value !== undefined && metric.Dimensions?.length === 1) values.add(dimension.Value);
    }
    nextToken = page.NextToken;
  } while (nextToken && ++pages < MAX_LIST_PAGES);
  const sorted = [...values].sort();
  return { dimensionValues: sorted.slice(0, MAX_SENSORS), truncated: sorted.length > MAX_SENSORS || nextToken !== undefined };
}

/** Every page of GetMetricData, as query ID → (timestamp → value). */
async function getAllMetricData(
  cloudwatch: CloudWatchClient,
  queries: MetricDataQuery[],
  start: Date,
  end: Date,
): Promise<Map<string, Map<number, number>>> {
  const byId = new Map<string, Map<number, number>>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', NextToken: nextToken }),
    );
    for (const result of page.MetricDataResults ?? []) addResult(byId, result);
    nextToken = page.NextToken;
  } while (nextToken && ++pages < MAX_DATA_PAGES);
  return byId;
}

function addResult(byId: Map<string, Map<number, number>>, result: MetricDataResult): void {
  if (!result.Id) return;
  const points = byId.get(result.Id) ?? new Map<number, number>();
  byId.set(result.Id, points);
  (result.Timestamps ?? []).forEach((timestamp, i) => {
    const value = result.Values?.[i];
    if (value !== undefined) points.set(new Date(timestamp).getTime(), value);
  });
}

/**
 * The event processor percent-encodes what CloudWatch cannot carry in a
 * dimension value (non-ASCII, and `%` itself); undo that for display.
 */
export function sensorIdOf(dimensionValue: string): string {
  try {
    return decodeURIComponent(dimensionValue);
  } catch {
    return dimensionValue;
  }
}
