import type { MetricsName } from '@aws-sdk/client-kinesis';
import { AwsError } from '../../core/errors.js';
import type { KinesaliteEngine } from './engine.js';
import type { StreamScope } from './stream-arn.js';

/** The shard-level metrics Kinesis can enable (`ALL` stands for all seven). */
export const SHARD_LEVEL_METRICS: readonly MetricsName[] = [
  'IncomingBytes', 'IncomingRecords', 'OutgoingBytes', 'OutgoingRecords',
  'WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded', 'IteratorAgeMilliseconds',
];

/** The metrics localcloud emits per shard; the others can be enabled (and are reported) but are not published. */
export const EMITTED_SHARD_METRICS: readonly MetricsName[] = ['IncomingBytes', 'IncomingRecords'];

/**
 * One datum for CloudWatch's `AWS/Kinesis` namespace. As on AWS, each put
 * operation is one sample: Sum adds up over a period, Minimum/Maximum/Average
 * describe single puts.
 */
export interface KinesisMetricDatum {
  metricName: 'IncomingBytes' | 'IncomingRecords';
  dimensions: { Name: string; Value: string }[];
  value: number;
  unit: 'Bytes' | 'Count';
}

/** Checks EnableEnhancedMonitoring's / DisableEnhancedMonitoring's ShardLevelMetrics and expands `ALL`. */
export function requestedMetrics(value: unknown): MetricsName[] {
  if (value === undefined || value === null) {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null");
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > 7) {
    throw new AwsError('ValidationException', "1 validation error detected: Value at 'shardLevelMetrics' failed to satisfy constraint: Member must have length less than or equal to 7 and greater than or equal to 1");
  }
  const allowed = [...SHARD_LEVEL_METRICS, 'ALL'];
  value.forEach((metric, i) => {
    if (typeof metric !== 'string' || !allowed.includes(metric as MetricsName)) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${String(metric)}' at 'shardLevelMetrics.${i + 1}.member' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
    }
  });
  return value.includes('ALL') ? [...SHARD_LEVEL_METRICS] : [...new Set(value as MetricsName[])];
}

/** The ShardLevelMetrics a stored stream has enabled, in Kinesis's order. */
export function enabledMetrics(stream: Record<string, any>): MetricsName[] {
  return stream.EnhancedMonitoring?.[0]?.ShardLevelMetrics ?? [];
}

/**
 * Remembers which streams have which shard-level metrics enabled, so a put
 * knows what to publish without reading its stream again; filled lazily from
 * the stored stream (so it survives restarts) and refreshed on every change.
 */
export class MonitoringCache {
  private readonly enabled = new Map<string, Set<MetricsName>>();

  async metricsOf(engine: KinesaliteEngine, scope: StreamScope, streamName: string): Promise<Set<MetricsName>> {
    const key = cacheKey(scope, streamName);
    let metrics = this.enabled.get(key);
    if (!metrics) {
      metrics = new Set(enabledMetrics(await engine.readStream(streamName)));
      if (this.enabled.size > 10_000) this.enabled.clear();
      this.enabled.set(key, metrics);
    }
    return metrics;
  }

  set(scope: StreamScope, streamName: string, metrics: MetricsName[]): void {
    this.enabled.set(cacheKey(scope, streamName), new Set(metrics));
  }

  forget(scope: StreamScope, streamName: string): void {
    this.enabled.delete(cacheKey(scope, streamName));
  }
}

const cacheKey = (scope: StreamScope, streamName: string) => `${scope.accountId}/${scope.region}/${streamName}`;

/**
 * What a successful put publishes: the stream-level IncomingBytes and
 * IncomingRecords Kinesis always emits, and per-shard ones for the metrics
 * enabled with enhanced monitoring.
 */
export function incomingMetrics(streamName: string, stored: { shardId: string; bytes: number }[], shardLevel: Set<MetricsName>): KinesisMetricDatum[] {
  if (stored.length === 0) return [];
  const stream = [{ Name: 'StreamName', Value: streamName }];
  const totalBytes = stored.reduce((n, r) => n + r.bytes, 0);
  const data: KinesisMetricDatum[] = [
    { metricName: 'IncomingBytes', dimensions: stream, value: totalBytes, unit: 'Bytes' },
    { metricName: 'IncomingRecords', dimensions: stream, value: stored.length, unit: 'Count' },
  ];
  if (!shardLevel.has('IncomingBytes') && !shardLevel.has('IncomingRecords')) return data;
  const perShard = new Map<string, { bytes: number; records: number }>();
  for (const { shardId, bytes } of stored) {
    const entry = perShard.get(shardId) ?? { bytes: 0, records: 0 };
    entry.bytes += bytes;
    entry.records++;
    perShard.set(shardId, entry);
  }
  for (const [shardId, { bytes, records }] of perShard) {
    const dimensions = [...stream, { Name: 'ShardId', Value: shardId }];
    if (shardLevel.has('IncomingBytes')) data.push({ metricName: 'IncomingBytes', dimensions, value: bytes, unit: 'Bytes' });
    if (shardLevel.has('IncomingRecords')) data.push({ metricName: 'IncomingRecords', dimensions, value: records, unit: 'Count' });
  }
  return data;
}
