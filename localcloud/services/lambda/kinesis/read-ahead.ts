import type { _Record } from '@aws-sdk/client-kinesis';
import type { ShardPosition, ShardReader } from './stream-reader.js';
import { WakeSignal } from './wake-signal.js';

/**
 * How long an idle reader sleeps when no `kinesis:records` event wakes it.
 * Only a safety net: new records wake pollers at once through the bus.
 */
export const FALLBACK_POLL_MS = 5000;
const ERROR_BACKOFF_MS = 1000;
/** GetRecords returns at most 10,000 records per call. */
const MAX_GET_RECORDS = 10_000;
/** Records held ahead of delivery: this many, or two batches when batches are larger. */
const READ_AHEAD_RECORDS = 500;
/**
 * The least a top-up reads (or a batch, when larger): each GetRecords has a
 * fixed cost (iterator, stream lookup) that reads of 25 pay about as much
 * for as for the records themselves.
 */
const READ_AHEAD_CHUNK = 100;
/** Past this much held data, read only what the next batch still lacks. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

export interface ReadAheadSource {
  reader: ShardReader;
  shardId: string;
  /** The mapping's settings, read live (UpdateEventSourceMapping may change them). */
  batchSize(): number;
  enabled(): boolean;
  log(message: string): void;
  /** Records arrived, or the shard ended, or the reader stopped. */
  onChange(): void;
}

/**
 * Reads one shard ahead of its delivery, as Lambda's pollers do: while the
 * function processes a batch, the next records are already being fetched,
 * so the next invocation can start the moment the current one has
 * succeeded. Records are held in shard order and handed out from the front;
 * nothing is skipped or reordered, and a stop simply drops what was read
 * ahead (the checkpoint, which only delivery moves, is where a restart resumes).
 *
 * The reader tops the read-ahead up once there is room for a chunk (100
 * records, or a batch when larger): kinesalite hands records over one
 * event-loop turn apiece, so on a busy cloud a read takes a while, and a
 * read-ahead kept nearly full gives it that while.
 */
export class ShardReadAhead {
  private held: _Record[] = [];
  private heldBytes = 0;
  private iterator?: string;
  private closed = false;
  /** The reader sleeps because it holds enough: taking records must wake it. */
  private full = false;
  private stopped = false;
  private readonly signal = new WakeSignal();
  private readonly stopping = new AbortController();
  /** Resolves once the first shard iterator is held (the starting position is fixed), or the reader ends. */
  readonly positioned: Promise<void>;
  private markPositioned!: () => void;
  /** Resolves when the reader has ended: stopped, or its closed shard read to the end. */
  readonly done: Promise<void>;

  constructor(
    private readonly source: ReadAheadSource,
    /** The last record already delivered (the checkpoint): reading continues after it. */
    private lastRead: string | undefined,
    /** Where to start when nothing was delivered yet. */
    private readonly initialPosition: ShardPosition,
  ) {
    this.positioned = new Promise((resolve) => (this.markPositioned = resolve));
    this.done = this.run()
      .catch((err) => source.log(`reading ${source.shardId} ahead failed: ${err instanceof Error ? err.stack : err}`))
      .finally(() => {
        this.markPositioned();
        source.onChange();
      });
  }

  /** How many records are held, ready to be delivered. */
  get length(): number {
    return this.held.length;
  }

  /** The shard is closed and read to its end: no record will follow those held. */
  get complete(): boolean {
    return this.closed;
  }

  /** Removes and returns up to `max` records from the front, in shard order. */
  take(max: number): _Record[] {
    const taken = this.held.splice(0, max);
    for (const record of taken) this.heldBytes -= recordBytes(record);
    if (this.full) this.signal.notify();
    return taken;
  }

  /** New records were announced, or the mapping changed: look again. */
  wake(): void {
    this.signal.notify();
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    this.signal.notify();
  }

  /** A Kinesis call that stop() does not wait for (it rejects once stopping). */
  private unlessStopped<T>(call: Promise<T>): Promise<T> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.reject(new Error('stopping'));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new Error('stopping'));
      signal.addEventListener('abort', onAbort, { once: true });
      call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** How many records to ask for now; 0 when enough are held. */
  private wanted(): number {
    const batchSize = this.source.batchSize();
    // Past the byte budget, only what the next batch still lacks: a batch can always be completed.
    if (this.heldBytes >= READ_AHEAD_BYTES) return Math.max(0, Math.min(MAX_GET_RECORDS, batchSize - this.held.length));
    const room = Math.max(2 * batchSize, READ_AHEAD_RECORDS) - this.held.length;
    return room >= Math.max(batchSize, READ_AHEAD_CHUNK) ? Math.min(MAX_GET_RECORDS, room) : 0;
  }

  private async run(): Promise<void> {
    const { reader, shardId } = this.source;
    while (!this.stopped && !this.closed) {
      const limit = this.source.enabled() ? this.wanted() : 0;
      this.full = limit === 0;
      if (limit === 0) {
        await this.signal.wait(FALLBACK_POLL_MS);
        continue;
      }

      let found = 0;
      try {
        this.iterator ??= await this.unlessStopped(
          reader.iterator(shardId, this.lastRead ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastRead } : this.initialPosition),
        );
        this.markPositioned();
        // Anything announced from here on is either in this read or wakes the wait below.
        this.signal.clear();
        const page = await this.unlessStopped(reader.records(this.iterator!, limit));
        found = page.records.length;
        if (found > 0) {
          this.lastRead = page.records[found - 1].SequenceNumber;
          for (const record of page.records) {
            this.held.push(record);
            this.heldBytes += recordBytes(record);
          }
        }
        this.iterator = page.nextIterator;
        if (!this.iterator) this.closed = true;
      } catch (err) {
        if (this.stopped) break;
        // Iterators expire after five minutes unused; get a fresh one from where reading stopped.
        this.iterator = undefined;
        if ((err as Error).name !== 'ExpiredIteratorException') {
          this.source.log(`reading ${shardId} of ${reader.stream.streamArn}: ${(err as Error).message}`);
          await this.signal.wait(ERROR_BACKOFF_MS);
        }
        continue;
      }
      if (found > 0 || this.closed) this.source.onChange();
      else await this.signal.wait(FALLBACK_POLL_MS);
    }
  }
}

/** Data and partition key: what a record weighs in Kinesis's own limits. */
function recordBytes(record: _Record): number {
  return (record.Data?.length ?? 0) + (record.PartitionKey?.length ?? 0);
}
