/**
 * End-to-end latency at a steady rate: events are put at `rate` per second
 * (a PutRecords call every few milliseconds with whatever is due), and each
 * event's latency runs from its PutRecords answer to the first poll that finds
 * its item in SensorDataTable.
 *
 * Polling: one BatchGetItem for (up to 100 of) the events still in flight, a
 * few milliseconds apart — tens of requests a second, whatever the rate, so
 * the measuring stays small next to what it measures. The poll's own round
 * trip is reported with the figure: it is the resolution.
 */
import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { clientConfig } from '../clients.js';
import { sleep, testClientCredentials, type DeployedStack, type PhaseContext } from '../context.js';
import { benchEvents, itemKey } from '../sensor-events.js';
import { MAX_KEYS_PER_BATCH_GET, visibleItems } from '../sensor-table.js';
import { percentiles, type Percentiles } from '../stats.js';
import { putBatch, type LoadResult } from '../stream-loader.js';

const SEND_TICK_MS = 10;
const POLL_INTERVAL_MS = 5;
const MAX_PUTS_IN_FLIGHT = 16;
/** How long after the last put an event may still arrive before it counts as lost. */
const DRAIN_MS = 30_000;

export interface LatencyResult {
  ms: Percentiles;
  rate: number;
  seconds: number;
  events: number;
  /** Events never seen in the table within the drain time. */
  unseen: number;
  polls: number;
  /** Median round trip of one poll (BatchGetItem): the measurement's resolution. */
  pollRttMs: number;
  /**
   * From the last PutRecords answer to the last item seen. Near the latency
   * itself when the pipeline keeps up; much longer when a backlog built up,
   * i.e. the rate is above what the pipeline sustains.
   */
  drainMs: number;
  /** Median latency of the first and of the last tenth of the events: equal when it keeps up, growing under a backlog. */
  firstTenthP50Ms: number;
  lastTenthP50Ms: number;
}

export async function measureLatency({ options, progress }: PhaseContext, stack: DeployedStack): Promise<LatencyResult> {
  const line = progress.phase('end-to-end latency');
  const { outputs } = stack;
  const kinesis = new KinesisClient(clientConfig(stack.cloud.url, testClientCredentials(outputs)));
  const ddb = new DynamoDBClient(clientConfig(stack.cloud.url));
  const rate = options.latencyRate;
  const count = Math.round(rate * options.latencySeconds);
  const events = benchEvents('lat', count, options.sensors);
  const loaded: LoadResult = { sequenceNumbers: new Array(count), ackedAt: new Float64Array(count), retried: 0, calls: 0 };
  // Events whose PutRecords was answered and whose item was not seen yet, oldest first.
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  // By event index, to compare the start of the run with its end.
  const latencyOf = new Float64Array(count).fill(Number.NaN);
  let lastSeenAt = 0;
  const pollRtts: number[] = [];
  let sendingDone = false;
  let failure: unknown;

  const sender = (async () => {
    const inFlight = new Set<Promise<void>>();
    const started = performance.now();
    let produced = 0;
    while (produced < count && !failure) {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000)) - produced;
      if (due > 0) {
        const indexes = Array.from({ length: due }, (_, k) => produced + k);
        produced += due;
        const call = putBatch(kinesis, outputs.KinesisStream, events.map((e) => e.entry), indexes, loaded).then(
          () => {
            for (const i of indexes) pending.set(itemKey(events[i]!.sensorId, events[i]!.timestamp), i);
          },
          (error) => {
            failure ??= error;
          },
        );
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
        if (inFlight.size >= MAX_PUTS_IN_FLIGHT) await Promise.race(inFlight);
      }
      line.update(`sent ${produced}/${count} at ${rate}/s · in flight ${pending.size} · seen ${latencies.length}`);
      await sleep(SEND_TICK_MS);
    }
    await Promise.all(inFlight);
    sendingDone = true;
  })();

  const poller = (async () => {
    let drainDeadline = Number.POSITIVE_INFINITY;
    while (!failure) {
      if (sendingDone && drainDeadline === Number.POSITIVE_INFINITY) drainDeadline = performance.now() + DRAIN_MS;
      if (sendingDone && pending.size === 0) return;
      if (performance.now() > drainDeadline) return;
      if (pending.size === 0) {
        await sleep(1);
        continue;
      }
      const batch = [...pending.entries()].slice(0, MAX_KEYS_PER_BATCH_GET);
      const asked = performance.now();
      const seen = await visibleItems(
        ddb,
        outputs.SensorDataTable,
        batch.map(([, i]) => events[i]!),
      );
      const answered = performance.now();
      pollRtts.push(answered - asked);
      for (const [key, i] of batch) {
        if (!seen.has(key)) continue;
        latencies.push(answered - loaded.ackedAt[i]!);
        latencyOf[i] = answered - loaded.ackedAt[i]!;
        lastSeenAt = answered;
        pending.delete(key);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  })();

  try {
    await Promise.all([sender, poller]);
    if (failure) throw failure;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    kinesis.destroy();
    ddb.destroy();
  }
  if (process.env.BENCH_LATENCY_CSV) writeLatencyCsv(process.env.BENCH_LATENCY_CSV, loaded.ackedAt, latencyOf);
  const ms = percentiles(latencies);
  const pollRttMs = percentiles(pollRtts).p50;
  const tenth = Math.max(1, Math.floor(count / 10));
  const finite = (values: Float64Array) => [...values].filter(Number.isFinite);
  const lastAck = loaded.ackedAt.reduce((a, b) => Math.max(a, b), 0);
  const result: LatencyResult = {
    ms,
    rate,
    seconds: options.latencySeconds,
    events: count,
    unseen: count - latencies.length,
    polls: pollRtts.length,
    pollRttMs,
    drainMs: lastSeenAt > 0 ? lastSeenAt - lastAck : Number.NaN,
    firstTenthP50Ms: percentiles(finite(latencyOf.subarray(0, tenth))).p50,
    lastTenthP50Ms: percentiles(finite(latencyOf.subarray(count - tenth))).p50,
  };
  const summary =
    `p50 ${ms.p50.toFixed(1)} / p95 ${ms.p95.toFixed(1)} / p99 ${ms.p99.toFixed(1)} ms at ${rate}/s ` +
    `(${latencies.length} events, poll ${pollRttMs.toFixed(1)} ms, p50 first/last tenth ${result.firstTenthP50Ms.toFixed(0)}/${result.lastTenthP50Ms.toFixed(0)} ms)`;
  if (result.unseen > 0) line.fail(`${summary}, ${result.unseen} never seen`);
  else line.done(summary);
  return result;
}

/**
 * BENCH_LATENCY_CSV=<file>: every event's answer time and latency, to see
 * where in the run a backlog built up (a stall shows as a ramp).
 */
function writeLatencyCsv(file: string, ackedAt: Float64Array, latencyOf: Float64Array): void {
  const origin = ackedAt[0] ?? 0;
  const lines = ['event,ackedAtMs,latencyMs'];
  ackedAt.forEach((at, i) => lines.push(`${i},${(at - origin).toFixed(1)},${Number.isFinite(latencyOf[i]!) ? latencyOf[i]!.toFixed(1) : ''}`));
  writeFileSync(file, `${lines.join('\n')}\n`);
}
