/**
 * Reference point for the processor's per-batch budget: one PutMetricData
 * call of 25 datums (one batch's metrics), one call at a time, on the cloud's
 * CloudWatch — in a namespace of its own, so the pipeline's metrics stay clean.
 * Next to the serial BatchWriteItem figure it tells how much of a batch's
 * time the processor's two calls need at the least.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { CloudProcess } from '../cloud-process.js';
import { clientConfig } from '../clients.js';
import type { PhaseContext } from '../context.js';
import { percentiles, type Percentiles } from '../stats.js';

const DATUMS_PER_CALL = 25;
const WARMUP_CALLS = 20;

export async function measurePutMetricData({ options, progress }: PhaseContext, cloud: CloudProcess): Promise<Percentiles> {
  const line = progress.phase('ref: PutMetricData');
  const cw = new CloudWatchClient(clientConfig(cloud.url));
  const calls = options.quick ? 30 : 300;
  const samples: number[] = [];
  try {
    for (let i = 0; i < WARMUP_CALLS + calls; i++) {
      const now = Date.now();
      const datums: MetricDatum[] = Array.from({ length: DATUMS_PER_CALL }, (_, k) => ({
        MetricName: 'SensorData',
        Dimensions: [{ Name: 'SensorId', Value: `floor-${String((i * DATUMS_PER_CALL + k) % 200).padStart(4, '0')}` }],
        Timestamp: new Date(now - k),
        Value: k,
      }));
      const started = performance.now();
      await cw.send(new PutMetricDataCommand({ Namespace: 'BenchReference', MetricData: datums }));
      if (i >= WARMUP_CALLS) samples.push(performance.now() - started);
      if (i % 20 === 0) line.update(`${i}/${WARMUP_CALLS + calls}`);
    }
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    cw.destroy();
  }
  const result = percentiles(samples);
  line.done(`${result.p50.toFixed(2)} ms per call of ${DATUMS_PER_CALL} datums (p99 ${result.p99.toFixed(2)} ms, ${samples.length} calls)`);
  return result;
}
