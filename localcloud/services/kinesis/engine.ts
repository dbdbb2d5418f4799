import { createDecipheriv } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import {
  EngineCalls,
  engineDependency,
  engineModule,
  isGone,
  operationModules,
  updateUnderLock,
  waitBriefly,
  type EngineCallback,
  type EngineError,
  type LockingDb,
  type OperationModule,
} from '../../core/callback-engine.js';
import { AwsError } from '../../core/errors.js';
import { PutRecordsWriter, type WriterStore } from './put-records-writer.js';
import { installBigIntSequenceHelpers, type SequenceHelpers } from './sequence-numbers.js';

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

/** Operations kinesalite implements (one module each under kinesalite/actions and kinesalite/validations). */
export const KINESALITE_OPERATIONS = [
  'AddTagsToStream', 'CreateStream', 'DecreaseStreamRetentionPeriod', 'DeleteStream', 'DescribeStream',
  'DescribeStreamSummary', 'GetRecords', 'GetShardIterator', 'IncreaseStreamRetentionPeriod', 'ListShards',
  'ListStreams', 'ListTagsForStream', 'MergeShards', 'PutRecord', 'PutRecords', 'RemoveTagsFromStream', 'SplitShard',
] as const;
export type KinesaliteOperation = (typeof KINESALITE_OPERATIONS)[number];

interface LevelUp extends EventEmitter {
  isOpen(): boolean;
  close(callback: EngineCallback): void;
}

interface MetaDb extends LevelUp, LockingDb {
  awsAccountId: string;
  awsRegion: string;
}

interface Store extends WriterStore {
  db: LevelUp;
  metaDb: MetaDb;
  getStream(name: string, callback: EngineCallback<StreamRecord>): void;
  getStreamDb(name: string): ReturnType<WriterStore['getStreamDb']> & {
    createReadStream(range: { gt: string; lt: string }): NodeJS.ReadableStream & { destroy(): void };
  };
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

/** kinesalite's store factory and the sequence-number helpers its actions use. */
const kinesaliteDb = engineModule<
  SequenceHelpers & {
    create(options: Record<string, unknown>): Store;
    shardIdName(shardIx: number): string;
    shardIxToHex(shardIx: number): string;
    resolveShardId(shardId: string): { shardId: string; shardIx: number };
    clientError(type: string, message: string): EngineError;
    createShardIterator(streamName: string, shardId: string, sequenceNumber: string): string;
    ITERATOR_PWD_KEY: Buffer;
    ITERATOR_PWD_IV: Buffer;
  }
>('kinesalite', 'db');
// Every record put and read goes through these: BigInt instead of bignumber.js (see sequence-numbers.ts).
installBigIntSequenceHelpers(kinesaliteDb, engineDependency('kinesalite', 'bignumber.js'));

/**
 * LevelDB's options for a store on disk, as the DynamoDB engine bounds its own:
 * up to 16 stores (accounts × regions) may be open at once next to 512
 * connections, under the common limit of 1,024 descriptors, and LevelDB's
 * default of 1,000 open files per store could take them all. 74 is the least
 * LevelDB accepts (64 table files of up to 2 MB, plus 10 of its own).
 */
const LEVELDB_OPTIONS = { maxOpenFiles: 74 };

/**
 * kinesalite builds its store as `levelup(leveldown(path))`, which opens the
 * database at once with no options of ours. leveldown is kinesalite's alone
 * (nothing else here loads it), so its open takes our defaults for the options
 * the caller left unset.
 */
function boundLevelDbOpenFiles(): void {
  const leveldown = engineDependency<{ prototype: { _open(options: Record<string, unknown>, callback: unknown): void } }>('kinesalite', 'leveldown');
  const open = leveldown.prototype._open;
  leveldown.prototype._open = function openBounded(options, callback) {
    open.call(this, { ...LEVELDB_OPTIONS, ...stripUnset(options) }, callback);
  };
}

/** abstract-leveldown fills every option it knows; only those given a value override ours. */
function stripUnset(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
}
boundLevelDbOpenFiles();

const validations = engineModule<{
  checkTypes(data: any, types: Record<string, unknown>): any;
  checkValidations(data: any, types: Record<string, unknown>, custom: unknown): void;
}>('kinesalite', 'validations');
const operationModule = operationModules<KinesaliteOperation, Store>('kinesalite');

/**
 * The stream a kinesalite shard iterator reads, or undefined for anything
 * that is not one. GetRecords names its stream only inside the iterator, and
 * IAM authorizes it on that stream's ARN. (kinesalite encrypts
 * `time/stream/shard/sequence/padding` after an 8-byte version prefix.)
 */
export function streamNameOfShardIterator(iterator: string): string | undefined {
  return decodeShardIterator(iterator)?.streamName;
}

/** A kinesalite shard iterator's stream, shard and the sequence number it reads at (or from), or undefined. */
export function decodeShardIterator(iterator: string): { streamName: string; shardId: string; sequenceNumber: string } | undefined {
  const buffer = Buffer.from(iterator, 'base64');
  if (buffer.length < 24 || buffer.readBigUInt64BE(0) !== 1n) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-cbc', kinesaliteDb.ITERATOR_PWD_KEY, kinesaliteDb.ITERATOR_PWD_IV);
    const pieces = Buffer.concat([decipher.update(buffer.subarray(8)), decipher.final()]).toString('utf8').split('/');
    return pieces.length === 5 && pieces[1] ? { streamName: pieces[1], shardId: pieces[2], sequenceNumber: pieces[3] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sequence number S such that AFTER_SEQUENCE_NUMBER S reads from
 * `sequenceNumber` on: kinesalite's "after" moves a position one second on,
 * so this moves it one second back. A resumable position for a reader that
 * has not been handed a record yet.
 */
export function sequenceBefore(sequenceNumber: string): string {
  const parts = kinesaliteDb.parseSequence(sequenceNumber);
  return kinesaliteDb.stringifySequence({ ...parts, seqTime: (parts.seqTime ?? parts.shardCreateTime) - 1000 });
}

/**
 * When a shard opened and (if it did) closed, in epoch milliseconds, read
 * from the sequence numbers kinesalite writes: the starting one carries the
 * shard's creation time, a closed shard's ending one the time it closed.
 */
export function shardLifetime(shard: { SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string } }): { openedAt: number; closedAt?: number } {
  const range = shard.SequenceNumberRange ?? {};
  const openedAt = range.StartingSequenceNumber ? kinesaliteDb.parseSequence(range.StartingSequenceNumber).shardCreateTime : 0;
  const closedAt = range.EndingSequenceNumber ? kinesaliteDb.parseSequence(range.EndingSequenceNumber).seqTime : undefined;
  return { openedAt, closedAt };
}

/** kinesalite's marker for "no sequence numbers left" in a closed shard's EndingSequenceNumber. */
const LAST_SEQUENCE_INDEX = BigInt('0x7fffffffffffffff').toString();
const HASH_KEY_SPACE = 2n ** 128n;

export interface KinesaliteEngineOptions {
  /** LevelDB directory; omit for an in-memory engine. */
  path?: string;
  accountId: string;
  region: string;
  /** Shards per account and region before CreateStream answers LimitExceededException. */
  shardLimit: number;
}

export class KinesaliteEngine {
  private readonly calls = new EngineCalls('Kinesis', 'InternalFailure');
  private readonly writer: PutRecordsWriter;

  private constructor(
    private readonly store: Store,
    /** Named in error messages, as kinesalite's own are. */
    private readonly accountId: string,
  ) {
    this.writer = new PutRecordsWriter(store, kinesaliteDb);
  }

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
    return new KinesaliteEngine(store, options.accountId);
  }

  /** Checks `input` as Kinesis would and returns it normalised, without running the operation. */
  validate(operation: KinesaliteOperation, input: Record<string, unknown>): any {
    const { validation } = operationModule(operation);
    refuseNullMembers(input);
    try {
      const data = validations.checkTypes(input, validation.types);
      validations.checkValidations(data, validation.types, validation.custom);
      return data;
    } catch (err) {
      throw this.calls.toAwsError(err as EngineError);
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
    // PutRecords is ours: kinesalite's serves concurrent producers one at a time (put-records-writer.ts).
    if (operation === 'PutRecords') return this.calls.run<any>((done) => this.writer.put(validated, done));
    const { action } = operationModule(operation);
    if (operation === 'GetShardIterator' && validated?.ShardIteratorType === 'AT_TIMESTAMP' && validated.Timestamp != null) {
      return this.calls.run<T>((done) => this.atTimestampIterator(validated, action, done));
    }
    return this.calls.run<T>((done) => action(this.store, validated, done));
  }

  /**
   * AT_TIMESTAMP iterators. kinesalite's own scan never calls back when no
   * record of the shard arrived at or after the timestamp, which left the
   * request (and shutdown) hanging. As on AWS, such an iterator starts at the
   * shard's tip: the next record to arrive is the first one it returns.
   */
  private atTimestampIterator(data: any, action: OperationModule<Store>['action'], done: EngineCallback): void {
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
    return this.calls.run((done) => this.store.getStream(streamName, done));
  }

  /**
   * Changes a stored stream under kinesalite's own per-stream lock. Only for
   * ACTIVE streams: kinesalite finishes status changes from timers that write
   * the record back whole, which would undo a change made in between.
   */
  updateStream(streamName: string, change: (stream: StreamRecord) => void): Promise<StreamRecord> {
    const changeIfActive = (stream: StreamRecord) => {
      if (stream.StreamStatus !== 'ACTIVE') {
        throw new AwsError('ResourceInUseException', `Stream ${streamName} under account ${this.accountId} not ACTIVE, instead in state ${stream.StreamStatus}`);
      }
      change(stream);
    };
    return this.calls.run((done) =>
      updateUnderLock(this.store.metaDb, streamName, (read) => this.store.getStream(streamName, read), changeIfActive, done),
    );
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
  untilCreated(streamName: string): Promise<void> {
    return waitBriefly(async () => (await this.readStream(streamName)).StreamStatus !== 'CREATING');
  }

  /** Waits (briefly, as above) until a deleted stream is gone. */
  untilDeleted(streamName: string): Promise<void> {
    return waitBriefly(() => isGone(() => this.readStream(streamName)));
  }

  /** Finishes what is running, lets zero-delay status changes (CREATING → ACTIVE) land, then closes LevelDB. */
  close(): Promise<void> {
    return this.calls.close((done) => this.store.db.close(done));
  }
}

/**
 * kinesalite's validations read the length of every list element and map
 * value, so a null one (`"TagKeys": [null]`, `"Tags": {"k": null}`) crashed
 * them into a 500. AWS refuses it as a null member. Lists are the
 * top-level arrays; the one map in kinesalite's requests is Tags (a null
 * member of a structure still means absent).
 */
function refuseNullMembers(input: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'object' || value === null || (!Array.isArray(value) && name !== 'Tags')) continue;
    const field = name.charAt(0).toLowerCase() + name.slice(1);
    const at = Array.isArray(value)
      ? value.findIndex((element) => element === null)
      : Object.keys(value).find((key) => (value as Record<string, unknown>)[key] === null);
    if (at === -1 || at === undefined) continue;
    const where = typeof at === 'number' ? `${field}.${at + 1}.member` : `${field}.${at}`;
    throw new AwsError('ValidationException', `1 validation error detected: Value null at '${where}' failed to satisfy constraint: Member must not be null`);
  }
}
