import type { Shard, ShardFilter, ShardFilterType } from '@aws-sdk/client-kinesis';
import { AwsError } from '../../core/errors.js';
import { shardLifetime } from './engine.js';

const TYPES: readonly ShardFilterType[] = ['AFTER_SHARD_ID', 'AT_TRIM_HORIZON', 'FROM_TRIM_HORIZON', 'AT_LATEST', 'AT_TIMESTAMP', 'FROM_TIMESTAMP'];

/** A ShardFilter as it arrives on the wire (JSON 1.1: Timestamp in epoch seconds). */
export interface WireShardFilter {
  Type?: unknown;
  ShardId?: unknown;
  Timestamp?: unknown;
}

export interface CheckedShardFilter {
  type: ShardFilterType;
  shardId?: string;
  /** Epoch milliseconds. */
  timestamp?: number;
}

/**
 * ListShards' ShardFilter, checked as Kinesis documents it: Type is
 * required; AFTER_SHARD_ID needs ShardId, AT_TIMESTAMP and FROM_TIMESTAMP
 * need Timestamp, and no type takes the property it does not use.
 */
export function checkShardFilter(raw: WireShardFilter): CheckedShardFilter {
  if (raw === null || typeof raw !== 'object') {
    throw new AwsError('SerializationException', 'ShardFilter must be a structure');
  }
  const type = raw.Type;
  if (type === undefined || type === null) {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null");
  }
  if (typeof type !== 'string' || !TYPES.includes(type as ShardFilterType)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${String(type)}' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [${TYPES.join(', ')}]`);
  }
  const hasShardId = raw.ShardId !== undefined && raw.ShardId !== null;
  const hasTimestamp = raw.Timestamp !== undefined && raw.Timestamp !== null;
  if (type === 'AFTER_SHARD_ID') {
    if (!hasShardId) throw new AwsError('InvalidArgumentException', 'ShardId must be specified when the ShardFilter type is AFTER_SHARD_ID.');
    if (typeof raw.ShardId !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(raw.ShardId)) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${String(raw.ShardId)}' at 'shardFilter.shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
    }
  } else if (hasShardId) {
    throw new AwsError('InvalidArgumentException', `ShardId cannot be specified when the ShardFilter type is ${type}.`);
  }
  let timestamp: number | undefined;
  if (type === 'AT_TIMESTAMP' || type === 'FROM_TIMESTAMP') {
    if (!hasTimestamp) throw new AwsError('InvalidArgumentException', `Timestamp must be specified when the ShardFilter type is ${type}.`);
    const seconds = typeof raw.Timestamp === 'number' ? raw.Timestamp : typeof raw.Timestamp === 'string' ? Date.parse(raw.Timestamp) / 1000 : NaN;
    if (!Number.isFinite(seconds)) throw new AwsError('SerializationException', 'ShardFilter.Timestamp must be a timestamp');
    timestamp = seconds * 1000;
  } else if (hasTimestamp) {
    throw new AwsError('InvalidArgumentException', `Timestamp cannot be specified when the ShardFilter type is ${type}.`);
  }
  return { type: type as ShardFilterType, ...(hasShardId ? { shardId: raw.ShardId as string } : {}), ...(timestamp !== undefined ? { timestamp } : {}) };
}

/**
 * The shards a filter selects, in shard order. A shard is open at time t when
 * it opened at or before t and had not closed by t. The trim horizon is the
 * oldest retained moment: retention ago, or the stream's creation if later.
 * - AFTER_SHARD_ID: the shards after ShardId (as ExclusiveStartShardId);
 * - AT_TRIM_HORIZON / AT_TIMESTAMP: those open at the trim horizon / at Timestamp (no earlier than the trim horizon);
 * - FROM_TRIM_HORIZON / FROM_TIMESTAMP: those open then or opened since;
 * - AT_LATEST: the open shards.
 */
export function filterShards(shards: Shard[], filter: CheckedShardFilter, stream: { retentionHours: number; createdAt: number }, now: number): Shard[] {
  const trimHorizon = Math.max(now - stream.retentionHours * 3600_000, stream.createdAt);
  // Sequence numbers keep whole seconds: a shard closed "at" second s stays open through it (its children open at s + 1).
  const openUntil = (shard: Shard) => {
    const { closedAt } = shardLifetime(shard);
    return closedAt === undefined ? Infinity : closedAt + 1000;
  };
  const openAt = (shard: Shard, t: number) => shardLifetime(shard).openedAt <= t && openUntil(shard) > t;
  const openFrom = (shard: Shard, t: number) => openUntil(shard) > t;
  switch (filter.type) {
    case 'AFTER_SHARD_ID':
      return shards.filter((s) => s.ShardId! > filter.shardId!);
    case 'AT_LATEST':
      return shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    case 'AT_TRIM_HORIZON':
      return shards.filter((s) => openAt(s, trimHorizon));
    case 'FROM_TRIM_HORIZON':
      return shards.filter((s) => openFrom(s, trimHorizon));
    case 'AT_TIMESTAMP':
      return shards.filter((s) => openAt(s, Math.max(filter.timestamp!, trimHorizon)));
    case 'FROM_TIMESTAMP':
      return shards.filter((s) => openFrom(s, Math.max(filter.timestamp!, trimHorizon)));
    default:
      return shards;
  }
}
