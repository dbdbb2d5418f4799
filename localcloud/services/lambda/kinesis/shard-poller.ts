import type { _Record } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSourceMapping } from '../model/event-source-mappings.js';
import { deliverBatch, type BatchOutcome } from './batch-delivery.js';
import type { CheckpointStore } from './checkpoints.js';
import { FALLBACK_POLL_MS, ShardReadAhead } from './read-ahead.js';
import type { ShardPosition, ShardReader } from './stream-reader.js';
import { WakeSignal } from './wake-signal.js';

export interface PollerContext {
  reader: ShardReader;
  checkpoints: CheckpointStore;
  /** The mapping's current settings (UpdateEventSourceMapping may change them while it runs). */
  mapping(): EventSourceMapping;
  invoke(records: _Record[], shardId: string): Promise<BatchOutcome>;
  skipped(shardId: string, records: _Record[], reason: string): void;
  log(message: string): void;
}

/**
 * Hands one shard's records to the function for one mapping, in order, a
 * batch at a time; the next batch waits until the current one has succeeded
 * or been given up on, and the shard's checkpoint moves only then. The
 * records themselves are read ahead (ShardReadAhead) while a batch is with
 * the function, so the next batch is ready when it returns.
 */
export class ShardPoller {
  /** Wakes delivery: records were read, the mapping changed, or stop(). */
  private readonly signal = new WakeSignal();
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly readAhead: ShardReadAhead;
  /** Resolves when the poller has ended: stopped, or its closed shard fully processed. */
  readonly finished: Promise<'stopped' | 'shard-ended'>;
  /** Resolves once the poller holds its first shard iterator (its starting position is fixed), or ends. */
  readonly positioned: Promise<void>;

  constructor(
    private readonly context: PollerContext,
    readonly shardId: string,
    /** Where to start when the shard has no checkpoint yet. */
    initialPosition: ShardPosition,
  ) {
    const checkpoint = context.checkpoints.get(context.mapping().uuid).shards[shardId]?.sequenceNumber;
    this.readAhead = new ShardReadAhead(
      {
        reader: context.reader,
        shardId,
        batchSize: () => context.mapping().batchSize,
        enabled: () => context.mapping().enabled,
        log: (message) => context.log(message),
        onChange: () => this.signal.notify(),
      },
      checkpoint,
      initialPosition,
    );
    this.positioned = this.readAhead.positioned;
    this.finished = this.run()
      .catch((err) => {
        context.log(`shard poller ${shardId} failed: ${err instanceof Error ? err.stack : err}`);
        return 'stopped' as const;
      })
      .finally(() => {
        this.readAhead.stop();
        return this.readAhead.done;
      });
  }

  wake(): void {
    this.readAhead.wake();
    this.signal.notify();
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    this.readAhead.stop();
    this.signal.notify();
  }

  private async run(): Promise<'stopped' | 'shard-ended'> {
    const { checkpoints } = this.context;
    const uuid = this.context.mapping().uuid;
    const readAhead = this.readAhead;
    let windowOpenedAt: number | undefined;

    while (!this.stopped) {
      const mapping = this.context.mapping();
      if (!mapping.enabled) {
        await this.signal.wait(FALLBACK_POLL_MS);
        continue;
      }

      const held = readAhead.length;
      if (held === 0) {
        if (readAhead.complete) return 'shard-ended';
        await this.signal.wait(FALLBACK_POLL_MS);
        continue;
      }
      // MaximumBatchingWindowInSeconds: gather records until the batch is full or the window closes.
      const windowMs = mapping.maximumBatchingWindowInSeconds * 1000;
      if (windowMs > 0 && held < mapping.batchSize && !readAhead.complete) {
        windowOpenedAt ??= Date.now();
        const left = windowOpenedAt + windowMs - Date.now();
        if (left > 0) {
          await this.signal.wait(left);
          continue;
        }
      }
      windowOpenedAt = undefined;

      const batch = readAhead.take(mapping.batchSize);
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
