/**
 * Reference points: raw PutRecords throughput — batches of 500, several in
 * flight, into a fresh one-shard stream — on the local cloud's Kinesis engine
 * (over the SDK's default HTTP/2, and over HTTP/1.1 for a like-for-like
 * comparison) and on kinesis-local, the engine LocalStack uses.
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { clientConfig, http1 } from '../clients.js';
import type { CloudProcess } from '../cloud-process.js';
import { sleep, type PhaseContext } from '../context.js';
import { startKinesisLocal } from '../kinesis-local.js';
import { benchEvents } from '../sensor-events.js';
import { summarize, type Summary } from '../stats.js';
import { putAll } from '../stream-loader.js';

/** Put first and not measured, on each engine and client: JIT and connections warm before the clock runs. */
const WARMUP_RECORDS = 1000;

export interface KinesisPutResult {
  /** Our engine, default client (HTTP/2). */
  recordsPerSec: Summary;
  /** Our engine over HTTP/1.1, as kinesis-local is measured. */
  http1RecordsPerSec: Summary;
}

export async function measureKinesisPut({ options, progress }: PhaseContext, cloud: CloudProcess): Promise<KinesisPutResult> {
  const line = progress.phase('ref: Kinesis PutRecords');
  const h2 = new KinesisClient(clientConfig(cloud.url));
  const h1 = new KinesisClient(http1(clientConfig(cloud.url)));
  try {
    line.update('warming up');
    await putRate(h2, 'bench-put-warmup-h2', WARMUP_RECORDS, options.putConcurrency);
    await putRate(h1, 'bench-put-warmup-h1', WARMUP_RECORDS, options.putConcurrency);
    const viaH2: number[] = [];
    const viaH1: number[] = [];
    for (let run = 1; run <= options.referenceRuns; run++) {
      line.update(`run ${run}/${options.referenceRuns}, HTTP/2`);
      viaH2.push(await putRate(h2, `bench-put-h2-${run}`, options.kinesisRecords, options.putConcurrency));
      line.update(`run ${run}/${options.referenceRuns}, HTTP/1.1`);
      viaH1.push(await putRate(h1, `bench-put-h1-${run}`, options.kinesisRecords, options.putConcurrency));
    }
    const result = { recordsPerSec: summarize(viaH2), http1RecordsPerSec: summarize(viaH1) };
    line.done(
      `${result.recordsPerSec.median.toFixed(0)} records/s (${result.recordsPerSec.min.toFixed(0)}–${result.recordsPerSec.max.toFixed(0)}), ` +
        `${result.http1RecordsPerSec.median.toFixed(0)} over HTTP/1.1`,
    );
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    h2.destroy();
    h1.destroy();
  }
}

export async function measureKinesisLocal({ options, progress }: PhaseContext): Promise<Summary> {
  const line = progress.phase('ref: kinesis-local');
  line.update('starting kinesis-local');
  const engine = await startKinesisLocal();
  const kinesis = new KinesisClient(http1(clientConfig(engine.url)));
  try {
    line.update('warming up');
    await putRate(kinesis, 'bench-put-warmup', WARMUP_RECORDS, options.putConcurrency);
    const samples: number[] = [];
    for (let run = 1; run <= options.referenceRuns; run++) {
      line.update(`run ${run}/${options.referenceRuns}`);
      samples.push(await putRate(kinesis, `bench-put-${run}`, options.kinesisLocalRecords, options.putConcurrency));
    }
    const result = summarize(samples);
    line.done(`${result.median.toFixed(0)} records/s (${result.min.toFixed(0)}–${result.max.toFixed(0)}), started in ${engine.startMs.toFixed(0)} ms`);
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  } finally {
    kinesis.destroy();
    await engine.stop();
  }
}

/** Creates a one-shard stream, puts `count` records and answers records per second. */
async function putRate(kinesis: KinesisClient, stream: string, count: number, concurrency: number): Promise<number> {
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  for (;;) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    await sleep(20);
  }
  const entries = benchEvents(stream, count, 200).map((e) => e.entry);
  const started = performance.now();
  await putAll(kinesis, stream, entries, { concurrency });
  return (count / (performance.now() - started)) * 1000;
}
