/**
 * Pipeline throughput: N events put with the stack's TestClient keys as fast
 * as the stream takes them, timed from the first PutRecords until every event
 * is an item in SensorDataTable, a line in ArchiveBucket and a datapoint in
 * CloudWatch — whichever of the three finishes last.
 *
 * Watching must not slow the pipeline down, so each check is cheap:
 *  - table: the shard is processed in order, so once the record with the
 *    highest sequence number is an item, all earlier ones were processed —
 *    one GetItem every few ms. A full check afterwards (untimed) proves it.
 *  - archive: list the bucket, read each new object once.
 *  - metrics: one GetMetricData for all sensors, polled once the puts are done.
 * Resident memory of the cloud's process tree is sampled throughout for the peak.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ArchiveWatcher } from '../archive-watcher.js';
import { invocationStats, streamConsumers, type InvocationStats, type StreamConsumer } from '../lambda-reports.js';
import { clientConfig } from '../clients.js';
import { sleep, testClientCredentials, type DeployedStack, type PhaseContext } from '../context.js';
import { MemorySampler, type ProcessMemory } from '../process-memory.js';
import { CpuMeter, waitUntilQuiet, type CpuShare } from '../quiet.js';
import { benchEvents, itemKey, sensorId, type BenchEvent } from '../sensor-events.js';
import { datapointCounts, total } from '../sensor-metrics.js';
import { itemExists, storedKeys } from '../sensor-table.js';
import { summarize, type Summary } from '../stats.js';
import { compareSequenceNumbers, putAll } from '../stream-loader.js';

const TABLE_POLL_MS = 20;
const ARCHIVE_POLL_MS = 100;
const METRICS_POLL_MS = 100;
const WARMUP_EVENTS = 100;
/** After the fast checks say done, how long the full check may wait for stragglers before counting them lost. */
const VERIFY_GRACE_MS = 10_000;

export interface ThroughputRun {
  events: number;
  elapsedMs: number;
  eventsPerSec: number;
  /** Until the last PutRecords answer. */
  putMs: number;
  /** Until the last event was an item / archived / a datapoint (from the first put). */
  tableMs: number;
  archiveMs: number;
  metricsMs: number;
  /** Records the stream refused at first and took on a later attempt. */
  putRetries: number;
  /** Events put but missing from the table or the archive at the end. */
  lost: number;
  missingDatapoints: number;
  /** Per stream function: invocations, handler time, time between batches (from its REPORT lines). */
  functions: InvocationStats[];
  /** CPU use per process over the run, in cores (1 = one core busy all the time). */
  cpu: CpuShare[];
}

export interface ThroughputResult {
  eventsPerSec: Summary;
  runs: ThroughputRun[];
  eventsPerRun: number;
  lostEvents: number;
  missingDatapoints: number;
  peakMemoryMb: number;
  /** Who held the memory at the peak. */
  peakBreakdown: ProcessMemory[];
}

export async function measureThroughput({ options, progress }: PhaseContext, stack: DeployedStack): Promise<ThroughputResult> {
  const line = progress.phase('pipeline throughput');
  const { outputs } = stack;
  const admin = clientConfig(stack.cloud.url);
  const kinesis = new KinesisClient(clientConfig(stack.cloud.url, testClientCredentials(outputs)));
  const ddb = new DynamoDBClient(admin);
  const s3 = new S3Client(admin);
  const cw = new CloudWatchClient(admin);
  const archive = new ArchiveWatcher(s3, outputs.ArchiveBucket);
  const memory = new MemorySampler(stack.cloud.pid).start();
  const lambda = new LambdaClient(admin);
  const kinesisAdmin = new KinesisClient(admin);
  const logs = new CloudWatchLogsClient(admin);
  const runs: ThroughputRun[] = [];
  let consumers: StreamConsumer[] | undefined;
  let peakMb = Number.NaN;
  let peakBreakdown: ProcessMemory[] = [];
  try {
    await archive.poll(); // whatever is archived already is not this phase's
    // The stream functions' first invocations start their execution environments
    // (Init, ~1 s): a one-off, not throughput. A small unmeasured run takes it.
    line.update('warming up the stream functions');
    const warmup = benchEvents('warmup', WARMUP_EVENTS, Math.min(WARMUP_EVENTS, options.sensors));
    await runOnce(warmup, { kinesis, ddb, cw, archive, outputs, concurrency: options.putConcurrency, sensors: options.sensors, prefix: 'warmup' }, () => {});
    for (let run = 1; run <= options.throughputRuns; run++) {
      const label = options.throughputRuns > 1 ? `run ${run}/${options.throughputRuns}: ` : '';
      line.update(`${label}waiting for the cloud to settle`);
      await waitUntilQuiet(stack.cloud.pid);
      const events = benchEvents(`tp${run}`, options.events, options.sensors);
      const startedAt = Date.now();
      const meter = new CpuMeter(stack.cloud.pid);
      const result = await runOnce(events, { kinesis, ddb, cw, archive, outputs, concurrency: options.putConcurrency, sensors: options.sensors, prefix: `tp${run}`, meter }, (s) => line.update(label + s));
      // The functions' REPORT lines reach CloudWatch Logs shortly after: read them once the cloud is quiet.
      line.update(`${label}reading the functions' REPORT lines`);
      await waitUntilQuiet(stack.cloud.pid);
      consumers ??= await streamConsumers(kinesisAdmin, lambda, outputs.KinesisStream);
      const endedAt = Date.now();
      for (const consumer of consumers) result.functions.push(await invocationStats(logs, consumer, startedAt, endedAt));
      runs.push(result);
    }
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    ({ peakMb, breakdown: peakBreakdown } = memory.stop());
    for (const client of [kinesis, kinesisAdmin, ddb, s3, cw, lambda, logs]) client.destroy();
  }
  const eventsPerSec = summarize(runs.map((r) => r.eventsPerSec));
  const lostEvents = runs.reduce((sum, r) => sum + r.lost, 0);
  const missingDatapoints = runs.reduce((sum, r) => sum + r.missingDatapoints, 0);
  const summary = `${eventsPerSec.median.toFixed(0)} events/s (${eventsPerSec.min.toFixed(0)}–${eventsPerSec.max.toFixed(0)}), ${lostEvents} lost, peak ${peakMb.toFixed(0)} MB`;
  if (lostEvents > 0) line.fail(summary);
  else line.done(summary);
  return { eventsPerSec, runs, eventsPerRun: options.events, lostEvents, missingDatapoints, peakMemoryMb: peakMb, peakBreakdown };
}

interface RunDeps {
  kinesis: KinesisClient;
  ddb: DynamoDBClient;
  cw: CloudWatchClient;
  archive: ArchiveWatcher;
  outputs: DeployedStack['outputs'];
  concurrency: number;
  sensors: number;
  prefix: string;
  /** Read when the clock stops: CPU use per process over the timed run. */
  meter?: CpuMeter;
}

async function runOnce(events: BenchEvent[], deps: RunDeps, status: (text: string) => void): Promise<ThroughputRun> {
  const { kinesis, ddb, cw, archive, outputs } = deps;
  const n = events.length;
  const sensors = Array.from({ length: Math.min(deps.sensors, n) }, (_, i) => sensorId(deps.prefix, i));
  const timeFrom = Date.parse(events[0]!.timestamp);
  const timeTo = Date.parse(events[n - 1]!.timestamp);
  const timeoutMs = 60_000 + (n / 200) * 1000;

  let put = 0;
  let archived = 0;
  let datapoints = 0;
  let sequenceNumbers: string[] | undefined;
  const done = { put: 0, table: 0, archive: 0, metrics: 0 };
  const show = () =>
    status(
      `put ${fmt(put)}/${fmt(n)} · stored ${done.table ? '✓' : '…'} · archived ${fmt(archived)} · metrics ${fmt(datapoints)}`,
    );

  const started = performance.now();
  const deadline = started + timeoutMs;
  const elapsed = () => performance.now() - started;

  // The archive is followed from the start: the archiver runs alongside the puts.
  let watching = true;
  const archiveLoop = (async () => {
    while (watching && !done.archive) {
      await archive.poll();
      if (sequenceNumbers) {
        archived = archive.countArchived(sequenceNumbers);
        if (archived === n) done.archive = elapsed();
      }
      show();
      if (!done.archive) await sleep(ARCHIVE_POLL_MS);
    }
  })();

  try {
    const loaded = await putAll(kinesis, outputs.KinesisStream, events.map((e) => e.entry), {
      concurrency: deps.concurrency,
      onProgress: (accepted) => {
        put = accepted;
        show();
      },
    });
    done.put = elapsed();
    sequenceNumbers = loaded.sequenceNumbers;
    const last = events[indexOfHighest(sequenceNumbers)]!;

    const tableLoop = (async () => {
      while (!(await itemExists(ddb, outputs.SensorDataTable, last))) {
        if (performance.now() > deadline) throw new Error(`the last event was not stored within ${timeoutMs / 1000} s`);
        await sleep(TABLE_POLL_MS);
      }
      done.table = elapsed();
      show();
    })();
    const metricsLoop = (async () => {
      for (;;) {
        datapoints = total(await datapointCounts(cw, sensors, timeFrom, timeTo));
        show();
        if (datapoints >= n) break;
        if (performance.now() > deadline) throw new Error(`only ${datapoints} of ${n} datapoints in CloudWatch after ${timeoutMs / 1000} s`);
        await sleep(METRICS_POLL_MS);
      }
      done.metrics = elapsed();
    })();
    const archiveWait = (async () => {
      while (!done.archive) {
        if (performance.now() > deadline) throw new Error(`only ${archived} of ${n} events archived after ${timeoutMs / 1000} s`);
        await sleep(ARCHIVE_POLL_MS);
      }
    })();
    await Promise.all([tableLoop, metricsLoop, archiveWait]);
    let elapsedMs = Math.max(done.table, done.archive, done.metrics);
    const cpu = deps.meter?.read() ?? [];

    // The full check: every event an item and an archive line, every datapoint counted.
    const verified = await verify(events, sequenceNumbers, sensors, deps, timeFrom, timeTo);
    if (verified.lateMs > 0) elapsedMs = elapsed(); // stragglers arrived after the fast checks: the run took until now
    return {
      events: n,
      elapsedMs,
      eventsPerSec: (n / elapsedMs) * 1000,
      putMs: done.put,
      tableMs: done.table,
      archiveMs: done.archive,
      metricsMs: done.metrics,
      putRetries: loaded.retried,
      lost: verified.lost,
      missingDatapoints: verified.missingDatapoints,
      functions: [],
      cpu,
    };
  } finally {
    watching = false;
    await archiveLoop.catch(() => {});
  }
}

async function verify(
  events: readonly BenchEvent[],
  sequenceNumbers: readonly string[],
  sensors: readonly string[],
  deps: RunDeps,
  timeFrom: number,
  timeTo: number,
): Promise<{ lost: number; missingDatapoints: number; lateMs: number }> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const stored = await storedKeys(deps.ddb, deps.outputs.SensorDataTable, sensors);
    await deps.archive.poll();
    let lost = 0;
    events.forEach((event, i) => {
      const inTable = stored.has(itemKey(event.sensorId, event.timestamp));
      const inArchive = deps.archive.sequenceNumbers.has(sequenceNumbers[i]!);
      if (!inTable || !inArchive) lost += 1;
    });
    const datapoints = total(await datapointCounts(deps.cw, sensors, timeFrom, timeTo));
    const missingDatapoints = Math.max(0, events.length - datapoints);
    const complete = lost === 0 && missingDatapoints === 0;
    const waited = performance.now() - started;
    if (complete || waited > VERIFY_GRACE_MS) {
      // Complete only on a later look: something arrived after the fast checks said done.
      return { lost, missingDatapoints, lateMs: complete && attempt > 1 ? waited : 0 };
    }
    await sleep(500);
  }
}

/** Index of the entry with the highest sequence number: the last record the shard will deliver. */
function indexOfHighest(sequenceNumbers: readonly string[]): number {
  let best = 0;
  for (let i = 1; i < sequenceNumbers.length; i++) {
    if (compareSequenceNumbers(sequenceNumbers[i]!, sequenceNumbers[best]!) > 0) best = i;
  }
  return best;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
