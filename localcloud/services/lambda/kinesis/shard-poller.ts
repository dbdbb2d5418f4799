import type { _Record } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSourceMapping } from '../model/event-source-mappings.js';
import { deliverBatch, type BatchOutcome } from './batch-delivery.js';
import type { CheckpointStore } from './checkpoints.js';
import type { ShardPosition, StreamReader } from './stream-reader.js';
import { WakeSignal } from './wake-signal.js';

/**
 * How long an idle poller sleeps when no `kinesis:records` event wakes it.
 * Only a safety net: new records wake pollers at once through the bus.
 */
export const FALLBACK_POLL_MS = 5000;
const ERROR_BACKOFF_MS = 1000;
/** GetRecords returns at most 10,000 records per call. */
const MAX_GET_RECORDS = 10_000;

export interface PollerContext {
  reader: StreamReader;
  checkpoints: CheckpointStore;
  /** The mapping's current settings (UpdateEventSourceMapping may change them while it runs). */
  mapping(): EventSourceMapping;
  invoke(records: _Record[], shardId: string): Promise<BatchOutcome>;
  skipped(shardId: string, records: _Record[], reason: string): void;
  log(message: string): void;
}

/**
 * Reads one shard for one mapping and hands its records to the function in
 * order, a batch at a time; the next batch waits until the current one has
 * succeeded or been given up on, and the shard's checkpoint moves only then.
 */
export class ShardPoller {
  private readonly signal = new WakeSignal();
  private stopped = false;
  private readonly stopping = new AbortController();
  /** Resolves when the poller has ended: stopped, or its closed shard fully processed. */
  readonly finished: Promise<'stopped' | 'shard-ended'>;
  /** Resolves once the poller holds its first shard iterator (its starting position is fixed), or ends. */
  readonly positioned: Promise<void>;
  private markPositioned!: () => void;

  constructor(
    private readonly context: PollerContext,
    readonly shardId: string,
    /** Where to start when the shard has no checkpoint yet. */
    private readonly initialPosition: ShardPosition,
  ) {
    this.positioned = new Promise((resolve) => (this.markPositioned = resolve));
    this.finished = this.run()
      .catch((err) => {
        context.log(`shard poller ${shardId} failed: ${err instanceof Error ? err.stack : err}`);
        return 'stopped' as const;
      })
      .finally(() => this.markPositioned());
  }

  wake(): void {
    this.signal.notify();
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    this.signal.notify();
  }

  /** A Kinesis call that stop() does not wait for (it rejects once the poller is stopping). */
  private unlessStopped<T>(call: Promise<T>): Promise<T> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.reject(new Error('stopping'));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new Error('stopping'));
      signal.addEventListener('abort', onAbort, { once: true });
      call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async run(): Promise<'stopped' | 'shard-ended'> {
    const { reader, checkpoints } = this.context;
    const uuid = this.context.mapping().uuid;
    let lastRead = checkpoints.get(uuid).shards[this.shardId]?.sequenceNumber;
    let iterator: string | undefined;
    let shardClosed = false;
    let buffer: _Record[] = [];
    let windowOpenedAt: number | undefined;

    while (!this.stopped) {
      const mapping = this.context.mapping();
      if (!mapping.enabled) {
        await this.signal.wait(FALLBACK_POLL_MS);
        continue;
      }

      if (!shardClosed && buffer.length < mapping.batchSize) {
        try {
          iterator ??= await this.unlessStopped(
            reader.iterator(this.shardId, lastRead ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastRead } : this.initialPosition),
          );
          this.markPositioned();
          // Anything announced from here on is either in this read or wakes the wait below.
          this.signal.clear();
          const page = await this.unlessStopped(reader.records(iterator!, Math.min(MAX_GET_RECORDS, mapping.batchSize - buffer.length)));
          const records = page.records;
          if (records.length > 0) lastRead = records[records.length - 1].SequenceNumber;
          buffer = buffer.concat(records);
          iterator = page.nextIterator;
          if (!iterator) shardClosed = true;
        } catch (err) {
          if (this.stopped) break;
          // Iterators expire after five minutes unused; get a fresh one from where reading stopped.
          iterator = undefined;
          if ((err as Error).name !== 'ExpiredIteratorException') {
            this.context.log(`reading ${this.shardId} of ${reader.stream.streamArn}: ${(err as Error).message}`);
            await this.signal.wait(ERROR_BACKOFF_MS);
          }
          continue;
        }
      }

      if (buffer.length === 0) {
        if (shardClosed) return 'shard-ended';
        await this.signal.wait(FALLBACK_POLL_MS);
        continue;
      }

      // MaximumBatchingWindowInSeconds: gather records until the batch is full or the window closes.
      const windowMs = mapping.maximumBatchingWindowInSeconds * 1000;
      if (windowMs > 0 && buffer.length < mapping.batchSize && !shardClosed) {
        windowOpenedAt ??= Date.now();
        const left = windowOpenedAt + windowMs - Date.now();
        if (left > 0) {
          await this.signal.wait(left);
          continue;
        }
      }
      windowOpenedAt = undefined;

      const batch = buffer.slice(0, mapping.batchSize);
      buffer = buffer.slice(batch.length);
      const completed = await deliverBatch(batch, mapping, {
        invoke: (records) => this.context.invoke(records, this.shardId),
        acknowledge: (records) =>
          checkpoints.update(uuid, (c) => {
            c.shards[this.shardId] = { sequenceNumber: records[records.length - 1].SequenceNumber };
          }),
        skipped: (records, reason) => this.context.skipped(this.shardId, records, reason),
        // A retry waits out its backoff even when new records arrive; only stop() cuts it short.
        pause: (ms) => sleep(ms, true, { signal: this.stopping.signal }).catch(() => false),
        stopping: () => this.stopped,
      });
      if (!completed) break;
    }
    return 'stopped';
  }
}
