import { Readable } from 'node:stream';
import type { ChildShard, StartingPosition } from '@aws-sdk/client-kinesis';
import { AwsError } from '../../core/errors.js';
import type { ServiceResponse, TypedBus } from '../../core/types.js';
import { consumerNotFound, parseConsumerArn, type ConsumerStore } from './consumers.js';
import { decodeShardIterator, sequenceBefore } from './engine.js';
import { EVENT_STREAM_CONTENT_TYPE, eventMessage, exceptionMessage } from './event-stream.js';
import type { KinesisOperation } from './operations.js';
import type { StreamScope } from './stream-arn.js';

/** A subscription lasts five minutes on AWS; the consumer then subscribes again. */
export const SUBSCRIPTION_LIFETIME_MS = 5 * 60_000;
/** A consumer may subscribe to the same shard again only after five seconds. */
export const RESUBSCRIBE_INTERVAL_MS = 5_000;
/** An event goes out at least this often, records or not, so the consumer sees the subscription alive. */
const HEARTBEAT_MS = 5_000;
const RECORDS_PER_EVENT = 1000;
const POSITION_TYPES = ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];

interface WireRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  Data: string;
  PartitionKey: string;
  EncryptionType?: string;
}

interface Subscription {
  startedAt: number;
  end(): void;
}

export interface ShardSubscriptionsOptions {
  operations: Record<string, KinesisOperation>;
  consumers: ConsumerStore;
  bus: TypedBus;
  /** Runs a read holding its account and region's engine open. */
  hold<T>(scope: StreamScope, read: () => Promise<T>): Promise<T>;
  lifetimeMs?: number;
}

/**
 * SubscribeToShard (enhanced fan-out): an HTTP/2 response streaming AWS
 * event-stream messages — `initial-response`, then `SubscribeToShardEvent`s
 * carrying Records, ContinuationSequenceNumber, MillisBehindLatest and, once a
 * closed shard is read to its end, ChildShards. Records are pushed as they
 * are put (the `kinesis:records` bus wakes the reader); an event goes out at
 * least every five seconds. The subscription ends after five minutes, when
 * the client goes away, or when a newer subscription of the same consumer to
 * the same shard replaces it.
 */
export class ShardSubscriptions {
  private readonly active = new Map<string, Subscription>();
  private readonly wakers = new Set<{ scope: StreamScope; streamName: string; wake(): void }>();

  constructor(private readonly options: ShardSubscriptionsOptions) {
    options.bus.on('kinesis:records', (event) => {
      for (const waiter of this.wakers) {
        if (waiter.streamName === event.streamName && waiter.scope.accountId === event.accountId && waiter.scope.region === event.region) waiter.wake();
      }
    });
  }

  async subscribe(input: any): Promise<ServiceResponse> {
    const consumerArn = input?.ConsumerARN;
    if (consumerArn === undefined || consumerArn === null) throw nullMember('consumerARN');
    const parsed = parseConsumerArn(consumerArn);
    if (!parsed) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${String(consumerArn)}' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+`);
    }
    const shardId = input.ShardId;
    if (shardId === undefined || shardId === null) throw nullMember('shardId');
    if (typeof shardId !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(shardId)) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${String(shardId)}' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
    }
    const position = startingPosition(input.StartingPosition);
    const consumer = this.options.consumers.byArn(parsed, consumerArn);
    if (!consumer) throw consumerNotFound(consumerArn, parsed.accountId);

    const key = `${consumerArn}|${shardId}`;
    const previous = this.active.get(key);
    const now = Date.now();
    if (previous && now - previous.startedAt < RESUBSCRIBE_INTERVAL_MS) {
      throw new AwsError('ResourceInUseException', `Another active subscription exists for this consumer: ${consumerArn} and shard: ${shardId}. Subscribe again after ${RESUBSCRIBE_INTERVAL_MS / 1000} seconds.`);
    }

    // The starting iterator is asked for before the stream opens, so a bad shard or sequence number is a plain error response.
    const scope: StreamScope = parsed;
    const read = (operation: string, request: Record<string, unknown>) => this.options.hold(scope, () => this.options.operations[operation](request, scope));
    const { ShardIterator } = (await read('GetShardIterator', {
      StreamName: parsed.streamName,
      ShardId: shardId,
      ShardIteratorType: position.Type,
      ...(position.SequenceNumber !== undefined ? { StartingSequenceNumber: position.SequenceNumber } : {}),
      ...(position.Timestamp !== undefined ? { Timestamp: position.Timestamp } : {}),
    })) as { ShardIterator: string };

    previous?.end();
    const body = new Readable({ read: () => pulled?.() });
    let pulled: (() => void) | undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const waker = { scope, streamName: parsed.streamName, wake: () => wake?.() };
    const subscription: Subscription = {
      startedAt: now,
      end: () => {
        if (ended) return;
        ended = true;
        wake?.();
        pulled?.();
      },
    };
    this.active.set(key, subscription);
    this.wakers.add(waker);
    // The gateway unpipes when the client goes away.
    body.on('unpipe', () => subscription.end());
    body.on('close', () => subscription.end());

    const send = async (chunk: Buffer) => {
      if (body.push(chunk)) return;
      await new Promise<void>((resolve) => (pulled = resolve));
      pulled = undefined;
    };
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });

    const run = async () => {
      const deadline = now + (this.options.lifetimeMs ?? SUBSCRIPTION_LIFETIME_MS);
      let iterator: string | undefined = ShardIterator;
      let continuation: string | undefined = position.Type === 'AFTER_SEQUENCE_NUMBER' ? position.SequenceNumber : undefined;
      let lastSent = 0;
      try {
        await send(eventMessage('initial-response', {}));
        while (!ended && iterator && Date.now() < deadline) {
          const out = (await read('GetRecords', { ShardIterator: iterator, Limit: RECORDS_PER_EVENT })) as {
            Records: WireRecord[];
            NextShardIterator?: string;
            MillisBehindLatest: number;
          };
          const records = out.Records ?? [];
          if (records.length > 0) continuation = records[records.length - 1].SequenceNumber;
          else continuation ??= positionBefore(out.NextShardIterator ?? iterator);
          const closed = out.NextShardIterator === undefined;
          const childShards = closed ? await this.childShards(scope, parsed.streamName, shardId) : undefined;
          if (records.length > 0 || closed || lastSent === 0 || Date.now() - lastSent >= HEARTBEAT_MS) {
            await send(
              eventMessage('SubscribeToShardEvent', {
                Records: records,
                ContinuationSequenceNumber: continuation,
                MillisBehindLatest: out.MillisBehindLatest ?? 0,
                ...(childShards ? { ChildShards: childShards } : {}),
              }),
            );
            lastSent = Date.now();
          }
          iterator = out.NextShardIterator;
          if (records.length === 0 && iterator && !ended) await pause(Math.min(HEARTBEAT_MS, Math.max(0, deadline - Date.now())));
        }
      } catch (err) {
        const error = err instanceof AwsError ? err : new AwsError('InternalFailureException', 'The subscription failed.', 500);
        if (!ended) body.push(exceptionMessage(error.code, error.message));
      } finally {
        ended = true;
        this.wakers.delete(waker);
        if (this.active.get(key) === subscription) this.active.delete(key);
        body.push(null);
      }
    };
    void run();

    return { status: 200, headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE }, body };
  }

  /** Ends every subscription (the service is stopping). */
  stopAll(): void {
    for (const subscription of this.active.values()) subscription.end();
  }

  /** The shards a closed shard split or merged into, as ChildShards reports them. */
  private async childShards(scope: StreamScope, streamName: string, shardId: string): Promise<ChildShard[]> {
    const { Shards = [] } = (await this.options.hold(scope, () => this.options.operations.ListShards({ StreamName: streamName }, scope))) as {
      Shards?: { ShardId: string; ParentShardId?: string; AdjacentParentShardId?: string; HashKeyRange: { StartingHashKey: string; EndingHashKey: string } }[];
    };
    return Shards.filter((s) => s.ParentShardId === shardId || s.AdjacentParentShardId === shardId).map((s) => ({
      ShardId: s.ShardId,
      ParentShards: [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => p !== undefined),
      HashKeyRange: s.HashKeyRange,
    }));
  }
}

/** A position to resume from (with AFTER_SEQUENCE_NUMBER) before any record was handed out. */
function positionBefore(iterator: string): string | undefined {
  const decoded = decodeShardIterator(iterator);
  return decoded ? sequenceBefore(decoded.sequenceNumber) : undefined;
}

function startingPosition(raw: unknown): { Type: string; SequenceNumber?: string; Timestamp?: number } {
  if (raw === undefined || raw === null) throw nullMember('startingPosition');
  const position = raw as StartingPosition & { Timestamp?: unknown };
  if (position.Type === undefined || position.Type === null) throw nullMember('startingPosition.type');
  if (!POSITION_TYPES.includes(position.Type)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(position.Type)}' at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set: [${POSITION_TYPES.join(', ')}]`);
  }
  const sequence = position.SequenceNumber;
  const needsSequence = position.Type === 'AT_SEQUENCE_NUMBER' || position.Type === 'AFTER_SEQUENCE_NUMBER';
  if (needsSequence && (typeof sequence !== 'string' || sequence === '')) {
    throw new AwsError('InvalidArgumentException', `StartingPosition.SequenceNumber must be specified for ${position.Type}.`);
  }
  if (!needsSequence && sequence !== undefined && sequence !== null) {
    throw new AwsError('InvalidArgumentException', `StartingPosition.SequenceNumber cannot be specified for ${position.Type}.`);
  }
  const hasTimestamp = position.Timestamp !== undefined && position.Timestamp !== null;
  if (position.Type === 'AT_TIMESTAMP' && !hasTimestamp) throw new AwsError('InvalidArgumentException', 'StartingPosition.Timestamp must be specified for AT_TIMESTAMP.');
  if (position.Type !== 'AT_TIMESTAMP' && hasTimestamp) throw new AwsError('InvalidArgumentException', `StartingPosition.Timestamp cannot be specified for ${position.Type}.`);
  return {
    Type: position.Type,
    ...(needsSequence ? { SequenceNumber: sequence as string } : {}),
    ...(hasTimestamp ? { Timestamp: Number(position.Timestamp) } : {}),
  };
}

function nullMember(member: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}
