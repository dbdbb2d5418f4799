import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { AwsError } from '../../core/errors.js';

/**
 * kinesalite (github.com/mhart/kinesalite) as an in-process engine.
 *
 * kinesalite ships as an HTTP server whose front door reads the account and
 * region once from process.env and throws from callbacks on storage errors
 * (fatal inside the local cloud). We drive the layers below it — its LevelDB
 * store (leveldown on disk, memdown in memory), its request validations and
 * its actions, called exactly as its own handler calls them — and leave HTTP
 * to the gateway.
 */

const require = createRequire(import.meta.url);

/** Operations kinesalite implements (one module each under kinesalite/actions and kinesalite/validations). */
export const KINESALITE_OPERATIONS = [
  'AddTagsToStream', 'CreateStream', 'DecreaseStreamRetentionPeriod', 'DeleteStream', 'DescribeStream',
  'DescribeStreamSummary', 'GetRecords', 'GetShardIterator', 'IncreaseStreamRetentionPeriod', 'ListShards',
  'ListStreams', 'ListTagsForStream', 'MergeShards', 'PutRecord', 'PutRecords', 'RemoveTagsFromStream', 'SplitShard',
] as const;
export type KinesaliteOperation = (typeof KINESALITE_OPERATIONS)[number];

interface EngineError extends Error {
  statusCode?: number;
  body?: { __type?: string; message?: string; Message?: string };
}
type Callback<T = any> = (err: EngineError | null | undefined, result?: T) => void;
type ReleaseLock = <F extends (...args: any[]) => void>(callback: F) => F;

interface LevelUp extends EventEmitter {
  isOpen(): boolean;
  close(callback: Callback): void;
}

interface MetaDb extends LevelUp {
  awsAccountId: string;
  awsRegion: string;
  lock(key: string, critical: (release: ReleaseLock) => void): void;
  put(key: string, value: unknown, callback: Callback): void;
}

interface Store {
  db: LevelUp;
  metaDb: MetaDb;
  getStream(name: string, callback: Callback<StreamRecord>): void;
  getStreamDb(name: string): { createReadStream(range: { gt: string; lt: string }): NodeJS.ReadableStream & { destroy(): void } };
}

interface ShardRecord {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

/** A stream as kinesalite stores it: the StreamDescription plus its hidden `_seqIx`/`_tags`. */
export type StreamRecord = Record<string, any> & { StreamName: string; StreamStatus: string };

interface OperationModule {
  action(store: Store, data: any, callback: Callback): void;
  validation: { types: Record<string, unknown>; custom?: (data: any) => unknown };
}

/** kinesalite's store factory and the sequence-number helpers its actions use. */
const kinesaliteDb: {
  create(options: Record<string, unknown>): Store;
  parseSequence(sequenceNumber: string): { shardCreateTime: number };
  stringifySequence(parts: { shardCreateTime: number; shardIx: number; seqIx?: string; seqTime?: number }): string;
  shardIdName(shardIx: number): string;
  shardIxToHex(shardIx: number): string;
  resolveShardId(shardId: string): { shardId: string; shardIx: number };
  createShardIterator(streamName: string, shardId: string, sequenceNumber: string): string;
} = require('kinesalite/db');

/** kinesalite's marker for "no sequence numbers left" in a closed shard's EndingSequenceNumber. */
const LAST_SEQUENCE_INDEX = BigInt('0x7fffffffffffffff').toString();
const HASH_KEY_SPACE = 2n ** 128n;
const validations: {
  checkTypes(data: any, types: Record<string, unknown>): any;
  checkValidations(data: any, types: Record<string, unknown>, custom: unknown): void;
} = require('kinesalite/validations');

const operationModules = new Map<KinesaliteOperation, OperationModule>();

function operationModule(operation: KinesaliteOperation): OperationModule {
  let module = operationModules.get(operation);
  if (!module) {
    const file = operation[0].toLowerCase() + operation.slice(1);
    module = { action: require(`kinesalite/actions/${file}`), validation: require(`kinesalite/validations/${file}`) };
    operationModules.set(operation, module);
  }
  return module;
}

export interface KinesaliteEngineOptions {
  /** LevelDB directory; omit for an in-memory engine. */
  path?: string;
  accountId: string;
  region: string;
  /** Shards per account and region before CreateStream answers LimitExceededException. */
  shardLimit: number;
}

export class KinesaliteEngine {
  private inFlight = 0;
  private closing?: Promise<void>;
  private onIdle?: () => void;

  private constructor(
    private readonly store: Store,
    readonly accountId: string,
    readonly region: string,
  ) {}

  static async open(options: KinesaliteEngineOptions): Promise<KinesaliteEngine> {
    if (options.path) mkdirSync(options.path, { recursive: true });
    // Streams become ACTIVE at once: nothing local is worth waiting for.
    const store = kinesaliteDb.create({
      path: options.path,
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: options.shardLimit,
    });
    // Stream ARNs and error messages use these; kinesalite's own default comes from process.env.
    store.metaDb.awsAccountId = options.accountId;
    store.metaDb.awsRegion = options.region;
    // levelup opens in the background and emits 'error' on failure (a locked LevelDB):
    // without a listener that would be an uncaught exception.
    // The sublevels echo their parent's failure; the parent's listener reports it.
    store.metaDb.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      store.db.on('error', (err: Error) => {
        const cause = (err.cause as Error | undefined)?.message ?? err.message;
        reject(new Error(`cannot open the Kinesis store in ${options.path ?? 'memory'}: ${cause} (is another localcloud using the same state directory?)`));
      });
      if (store.db.isOpen()) resolve();
      else store.db.once('open', () => resolve());
    });
    return new KinesaliteEngine(store, options.accountId, options.region);
  }

  /** Checks `input` as Kinesis would and returns it normalised, without running the operation. */
  validate(operation: KinesaliteOperation, input: Record<string, unknown>): any {
    const { validation } = operationModule(operation);
    try {
      const data = validations.checkTypes(input, validation.types);
      validations.checkValidations(data, validation.types, validation.custom);
      return data;
    } catch (err) {
      throw fromEngineError(err as EngineError);
    }
  }

  /** Validates `input` the way Kinesis does and runs the operation; failures come back as AwsErrors. */
  call<T = any>(operation: KinesaliteOperation, input: Record<string, unknown>): Promise<T> {
    let validated: unknown;
    try {
      validated = this.validate(operation, input);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.execute<T>(operation, validated);
  }

  /** Runs an operation on input that already went through `validate`. */
  execute<T = any>(operation: KinesaliteOperation, validated: any): Promise<T> {
    const { action } = operationModule(operation);
    if (operation === 'GetShardIterator' && validated?.ShardIteratorType === 'AT_TIMESTAMP' && validated.Timestamp != null) {
      return this.run<T>((done) => this.atTimestampIterator(validated, action, done as Callback));
    }
    return this.run<T>((done) => action(this.store, validated, done));
  }

  /**
   * AT_TIMESTAMP iterators. kinesalite's own scan never calls back when no
   * record of the shard arrived at or after the timestamp, which left the
   * request (and shutdown) hanging. As on AWS, such an iterator starts at the
   * shard's tip: the next record to arrive is the first one it returns.
   */
  private atTimestampIterator(data: any, action: OperationModule['action'], done: Callback): void {
    if (data.Timestamp * 1000 > Date.now()) return action(this.store, data, done);
    let shard: { shardId: string; shardIx: number };
    try {
      shard = kinesaliteDb.resolveShardId(data.ShardId);
    } catch {
      return action(this.store, data, done);
    }
    this.store.getStream(data.StreamName, (err, stream) => {
      if (err || !stream || shard.shardIx >= stream.Shards.length) return action(this.store, data, done);
      const records = this.store.getStreamDb(data.StreamName).createReadStream({
        gt: kinesaliteDb.shardIxToHex(shard.shardIx),
        lt: kinesaliteDb.shardIxToHex(shard.shardIx + 1),
      });
      let found = false;
      records.on('data', (item: { key: string; value: { ApproximateArrivalTimestamp: number } }) => {
        if (found || item.value.ApproximateArrivalTimestamp < data.Timestamp) return;
        found = true;
        records.destroy();
        done(null, { ShardIterator: kinesaliteDb.createShardIterator(data.StreamName, shard.shardId, item.key.split('/')[1]) });
      });
      records.on('error', (readErr: Error) => done(readErr));
      records.on('end', () => {
        if (!found) action(this.store, { ...data, ShardIteratorType: 'LATEST', Timestamp: undefined }, done);
      });
    });
  }

  /** The stored stream, or ResourceNotFoundException. */
  readStream(streamName: string): Promise<StreamRecord> {
    return this.run((done) => this.store.getStream(streamName, done));
  }

  /**
   * Changes a stored stream under kinesalite's own per-stream lock. Only for
   * ACTIVE streams: kinesalite finishes status changes from timers that write
   * the record back whole, which would undo a change made in between.
   */
  updateStream(streamName: string, change: (stream: StreamRecord) => void): Promise<StreamRecord> {
    const metaDb = this.store.metaDb;
    return this.run((done) => {
      metaDb.lock(streamName, (release) => {
        const finish = release(done);
        this.store.getStream(streamName, (err, stream) => {
          if (err || !stream) return finish(err);
          if (stream.StreamStatus !== 'ACTIVE') {
            return finish(new AwsError('ResourceInUseException', `Stream ${streamName} under account ${this.accountId} not ACTIVE, instead in state ${stream.StreamStatus}`));
          }
          try {
            change(stream);
          } catch (changeErr) {
            return finish(changeErr as EngineError);
          }
          metaDb.put(streamName, stream, (putErr) => finish(putErr, stream));
        });
      });
    });
  }

  /**
   * UpdateShardCount with UNIFORM_SCALING, which kinesalite lacks: closes
   * every open shard and opens `target` shards splitting the hash key space
   * evenly, each naming the old shards it overlaps as parents (AWS reaches
   * the same end state through a series of splits and merges). Written the
   * way kinesalite's own SplitShard writes a reshard, so its reads and
   * sequence numbers carry on unchanged.
   */
  reshard(streamName: string, target: number): Promise<StreamRecord> {
    return this.updateStream(streamName, (stream) => {
      const now = Date.now();
      const shards: ShardRecord[] = stream.Shards;
      const open = shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber);
      for (const shard of open) {
        const shardIx = shards.indexOf(shard);
        shard.SequenceNumberRange.EndingSequenceNumber = kinesaliteDb.stringifySequence({
          shardCreateTime: kinesaliteDb.parseSequence(shard.SequenceNumberRange.StartingSequenceNumber).shardCreateTime,
          shardIx,
          seqIx: LAST_SEQUENCE_INDEX,
          seqTime: now,
        });
      }
      const width = HASH_KEY_SPACE / BigInt(target);
      for (let i = 0; i < target; i++) {
        const start = width * BigInt(i);
        const end = (i === target - 1 ? HASH_KEY_SPACE : width * BigInt(i + 1)) - 1n;
        const parents = open.filter((s) => BigInt(s.HashKeyRange.StartingHashKey) <= end && BigInt(s.HashKeyRange.EndingHashKey) >= start);
        const shardIx = shards.length;
        shards.push({
          ParentShardId: parents[0]?.ShardId,
          ...(parents[1] ? { AdjacentParentShardId: parents[1].ShardId } : {}),
          HashKeyRange: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
          SequenceNumberRange: { StartingSequenceNumber: kinesaliteDb.stringifySequence({ shardCreateTime: now + 1000, shardIx }) },
          ShardId: kinesaliteDb.shardIdName(shardIx),
        });
      }
    });
  }

  /** Waits (briefly: kinesalite finishes on a zero-delay timer) until a new stream has left CREATING. */
  async untilCreated(streamName: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.readStream(streamName)).StreamStatus === 'CREATING' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Waits (briefly, as above) until a deleted stream is gone. */
  async untilDeleted(streamName: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.readStream(streamName);
      } catch (err) {
        if (err instanceof AwsError && err.code === 'ResourceNotFoundException') return;
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Finishes what is running, lets zero-delay status changes (CREATING → ACTIVE) land, then closes LevelDB. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve, reject) => this.store.db.close((err) => (err ? reject(err) : resolve())));
    })();
    return this.closing;
  }

  private run<T>(start: (done: Callback<T>) => void): Promise<T> {
    if (this.closing) return Promise.reject(new AwsError('ServiceUnavailable', 'Kinesis is shutting down', 503));
    this.inFlight++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const done: Callback<T> = (err, result) => {
        if (settled) return;
        settled = true;
        if (--this.inFlight === 0) this.onIdle?.();
        if (err) reject(fromEngineError(err));
        else resolve((result ?? {}) as T);
      };
      try {
        start(done);
      } catch (err) {
        done(err as EngineError);
      }
    });
  }
}

function fromEngineError(err: EngineError): AwsError {
  if (err instanceof AwsError) return err;
  if (err.statusCode && err.body?.__type) {
    const code = err.body.__type.slice(err.body.__type.lastIndexOf('#') + 1);
    return new AwsError(code, err.body.message ?? err.body.Message ?? '', err.statusCode);
  }
  return new AwsError('InternalFailure', `Kinesis engine failure: ${err.message ?? String(err)}`, 500);
}
