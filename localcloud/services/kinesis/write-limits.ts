import { createHash } from 'node:crypto';

/** Per-shard write throughput; AWS's provisioned shards take 1,000 records and 1 MiB per second. */
export interface ShardWriteLimits {
  recordsPerSecond: number;
  bytesPerSecond: number;
}

export const AWS_SHARD_WRITE_LIMITS: ShardWriteLimits = { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024 };

/** An open shard's slice of the 128-bit hash key space. */
export interface ShardRange {
  shardId: string;
  startingHashKey: bigint;
  endingHashKey: bigint;
}

/**
 * Opt-in emulation of AWS's per-shard write limits, so producers can test how
 * they handle `ProvisionedThroughputExceededException` (whole PutRecord calls,
 * single entries of PutRecords). Off by default: a local cloud should be as
 * fast as it can. Budgets are counted in one-second windows per shard.
 */
export class ShardWriteBudget {
  private readonly windows = new Map<string, { second: number; records: number; bytes: number }>();

  constructor(readonly limits: ShardWriteLimits) {}

  /** Takes one record of `bytes` from the shard's budget for this second; false when it is spent. */
  admit(shardKey: string, bytes: number, now = Date.now()): boolean {
    const second = Math.floor(now / 1000);
    let window = this.windows.get(shardKey);
    if (!window || window.second !== second) {
      window = { second, records: 0, bytes: 0 };
      this.windows.set(shardKey, window);
    }
    if (window.records + 1 > this.limits.recordsPerSecond || window.bytes + bytes > this.limits.bytesPerSecond) return false;
    window.records += 1;
    window.bytes += bytes;
    return true;
  }
}

/** The hash key Kinesis routes a record by: its ExplicitHashKey, else the MD5 of its partition key. */
export function hashKeyOf(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined) return BigInt(explicitHashKey);
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

export function shardFor(shards: readonly ShardRange[], hashKey: bigint): ShardRange | undefined {
  return shards.find((s) => hashKey >= s.startingHashKey && hashKey <= s.endingHashKey);
}

/** What a record weighs against the limits: its data (decoded) plus its partition key. */
export function recordBytes(base64Data: string, partitionKey: string): number {
  return base64Length(base64Data) + Buffer.byteLength(partitionKey, 'utf8');
}

/** Decoded size of a base64 string, without decoding it. */
export function base64Length(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}
