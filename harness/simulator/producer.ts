/**
 * Sends the fleet's events at a steady rate through PutRecords, in batches of
 * up to 500 (the API's limit). Records the stream refuses (throttling) are
 * retried a few times with backoff before they count as failed.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { SensorFleet } from './fleet.js';

export const MAX_RECORDS_PER_CALL = 500;
const MAX_ATTEMPTS = 4;
const TICK_MS = 100;

export interface SimulationOptions {
  streamName: string;
  sensors: number;
  /** Events per second. */
  rate: number;
  /** Seconds; 0 runs until `signal` aborts. */
  durationSeconds: number;
  /** Share of records sent malformed on purpose, 0..1. */
  badRatio: number;
  signal?: AbortSignal;
  random?: () => number;
  /** Called about every `progressIntervalMs` and once at the end. */
  onProgress?: (stats: SimulationStats) => void;
  progressIntervalMs?: number;
}

export interface SimulationStats {
  /** Records the stream accepted. */
  sent: number;
  /** Records given up on: refused after every retry, or lost with a failed call. */
  failed: number;
  /** Of `sent`, how many were malformed on purpose. */
  malformed: number;
  /** Records that needed more than one attempt. */
  retried: number;
  calls: number;
  elapsedMs: number;
  /** The first error of a failed call, to explain `failed`. */
  firstError?: string;
}

export async function runSimulation(kinesis: KinesisClient, options: SimulationOptions): Promise<SimulationStats> {
  const random = options.random ?? Math.random;
  const fleet = new SensorFleet(options.sensors, random);
  const stats: SimulationStats = { sent: 0, failed: 0, malformed: 0, retried: 0, calls: 0, elapsedMs: 0 };
  const total = options.durationSeconds > 0 ? Math.round(options.rate * options.durationSeconds) : Infinity;
  const started = Date.now();
  let produced = 0;
  let lastProgress = 0;
  const progressEvery = options.progressIntervalMs ?? 250;

  while (produced < total && !options.signal?.aborted) {
    const elapsed = Date.now() - started;
    const due = Math.min(total, Math.floor((options.rate * elapsed) / 1000)) - produced;
    if (due > 0) {
      const entries: (PutRecordsRequestEntry & { malformed: boolean })[] = [];
      for (let i = 0; i < due; i++) {
        if (random() < options.badRatio) {
          const bad = fleet.malformed();
          entries.push({ Data: bad.data, PartitionKey: `malformed-${bad.kind}`, malformed: true });
        } else {
          const event = fleet.read();
          entries.push({ Data: Buffer.from(JSON.stringify(event), 'utf8'), PartitionKey: event.sensorid, malformed: false });
        }
      }
      produced += due;
      for (let i = 0; i < entries.length; i += MAX_RECORDS_PER_CALL) {
        await sendBatch(kinesis, options.streamName, entries.slice(i, i + MAX_RECORDS_PER_CALL), stats);
      }
    }
    stats.elapsedMs = Date.now() - started;
    if (options.onProgress && stats.elapsedMs - lastProgress >= progressEvery) {
      lastProgress = stats.elapsedMs;
      options.onProgress({ ...stats });
    }
    if (produced < total) await sleep(TICK_MS, options.signal);
  }
  stats.elapsedMs = Date.now() - started;
  options.onProgress?.({ ...stats });
  return stats;
}

async function sendBatch(
  kinesis: KinesisClient,
  streamName: string,
  batch: (PutRecordsRequestEntry & { malformed: boolean })[],
  stats: SimulationStats,
): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    stats.calls++;
    let output;
    try {
      output = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: pending.map(({ Data, PartitionKey }) => ({ Data, PartitionKey })) }),
      );
    } catch (error) {
      stats.failed += pending.length;
      stats.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (stats.sent === 0 && stats.failed === pending.length) throw error; // nothing works: let the caller explain
      return;
    }
    const refused: typeof pending = [];
    (output.Records ?? []).forEach((result, i) => {
      const entry = pending[i]!;
      if (result.ErrorCode) {
        refused.push(entry);
      } else {
        stats.sent++;
        if (entry.malformed) stats.malformed++;
      }
    });
    if (refused.length === 0) return;
    if (attempt >= MAX_ATTEMPTS) {
      stats.failed += refused.length;
      return;
    }
    if (attempt === 1) stats.retried += refused.length;
    pending = refused;
    await sleep(100 * 2 ** (attempt - 1));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
