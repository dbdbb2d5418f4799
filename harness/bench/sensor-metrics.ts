/**
 * How many `Sensor/SensorData` datapoints CloudWatch holds per sensor: one
 * GetMetricData call answers up to 500 sensors (one SampleCount query each).
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';

const NAMESPACE = 'Sensor';
const METRIC = 'SensorData';
const DIMENSION = 'SensorId';
const MAX_QUERIES_PER_CALL = 500;
const PERIOD_SECONDS = 60;

/** Datapoints per sensor between `from` and `to` (epoch ms; widened to whole periods). */
export async function datapointCounts(
  cw: CloudWatchClient,
  sensors: readonly string[],
  from: number,
  to: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const startTime = new Date(Math.floor(from / 60_000) * 60_000 - 60_000);
  const endTime = new Date(Math.ceil(to / 60_000) * 60_000 + 60_000);
  for (let offset = 0; offset < sensors.length; offset += MAX_QUERIES_PER_CALL) {
    const chunk = sensors.slice(offset, offset + MAX_QUERIES_PER_CALL);
    const queries: MetricDataQuery[] = chunk.map((sensor, i) => ({
      Id: `s${i}`,
      MetricStat: {
        Metric: { Namespace: NAMESPACE, MetricName: METRIC, Dimensions: [{ Name: DIMENSION, Value: sensor }] },
        Period: PERIOD_SECONDS,
        Stat: 'SampleCount',
      },
    }));
    let token: string | undefined;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: startTime, EndTime: endTime, NextToken: token }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const sensor = chunk[Number(result.Id?.slice(1))];
        if (sensor === undefined) continue;
        const sum = (result.Values ?? []).reduce((a, b) => a + b, 0);
        counts.set(sensor, (counts.get(sensor) ?? 0) + sum);
      }
      token = page.NextToken;
    } while (token);
  }
  return counts;
}

export function total(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const value of counts.values()) sum += value;
  return sum;
}
