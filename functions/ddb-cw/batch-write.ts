/**
 * BatchWriteItem until every request is written.
 *
 * DynamoDB may accept a batch yet hand part of it back as UnprocessedItems
 * (throttling, internal limits). The SDK does not retry those; ignoring them
 * was silent data loss in the original. Here they are retried with backoff,
 * and if they still do not go through the caller gets an exception, which
 * fails the invocation so the stream delivers the batch again.
 */
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { chunk } from '../shared/chunk.js';
import { backoffDelay, DEFAULT_BACKOFF, sleep as realSleep, type BackoffPolicy } from '../shared/retry.js';

/** BatchWriteItem's per-call limit. */
export const MAX_BATCH_WRITE_REQUESTS = 25;

export type RequestItems = Record<string, WriteRequest[]>;

/**
 * One BatchWriteItem call: takes RequestItems, resolves to the UnprocessedItems
 * (empty or undefined when all were written). Injected, so the retry loop can
 * be exercised without DynamoDB.
 */
export type BatchWriter = (requestItems: RequestItems) => Promise<RequestItems | undefined>;

export interface WriteRetryOptions {
  /** Calls of `write` per chunk, first one included. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /**
   * Milliseconds left before the function times out. A timeout mid-sleep would
   * lose the explanation; giving up early with a clear error costs nothing,
   * since the stream retries the batch either way.
   */
  timeLeftMs?: () => number;
  /** Time kept in hand for what follows the writes (metrics, logging). */
  reserveMs: number;
}

export const DEFAULT_WRITE_RETRY: WriteRetryOptions = {
  maxAttempts: 10,
  backoff: DEFAULT_BACKOFF,
  sleep: realSleep,
  random: Math.random,
  reserveMs: 1500,
};

export class UnprocessedItemsError extends Error {
  override name = 'UnprocessedItemsError';
  constructor(
    message: string,
    readonly unprocessed: number,
    readonly attempts: number,
  ) {
    super(message);
  }
}

export interface WriteStats {
  /** BatchWriteItem calls made, retries included. */
  calls: number;
  /** Calls that were retries of UnprocessedItems. */
  retries: number;
}

export async function writeAll(
  tableName: string,
  requests: readonly WriteRequest[],
  write: BatchWriter,
  options: Partial<WriteRetryOptions> = {},
): Promise<WriteStats> {
  const stats: WriteStats = { calls: 0, retries: 0 };
  for (const part of chunk(requests, MAX_BATCH_WRITE_REQUESTS)) {
    const { calls } = await writeWithRetry({ [tableName]: part }, write, options);
    stats.calls += calls;
    stats.retries += calls - 1;
  }
  return stats;
}

/** Writes one BatchWriteItem-sized set of requests, retrying what comes back unprocessed. */
export async function writeWithRetry(
  requestItems: RequestItems,
  write: BatchWriter,
  options: Partial<WriteRetryOptions> = {},
): Promise<{ calls: number }> {
  const { maxAttempts, backoff, sleep, random, timeLeftMs, reserveMs } = { ...DEFAULT_WRITE_RETRY, ...options };
  let pending = requestItems;
  for (let attempt = 1; ; attempt++) {
    pending = withoutEmptyTables((await write(pending)) ?? {});
    const left = countRequests(pending);
    if (left === 0) return { calls: attempt };
    if (attempt >= maxAttempts) {
      throw new UnprocessedItemsError(
        `BatchWriteItem left ${left} item(s) unprocessed after ${attempt} attempts; failing so the batch is retried`,
        left,
        attempt,
      );
    }
    const delay = backoffDelay(attempt - 1, backoff, random);
    if (timeLeftMs && timeLeftMs() - delay < reserveMs) {
      throw new UnprocessedItemsError(
        `BatchWriteItem left ${left} item(s) unprocessed after ${attempt} attempts and the function is about to time out; failing so the batch is retried`,
        left,
        attempt,
      );
    }
    await sleep(delay);
  }
}

export function countRequests(requestItems: RequestItems): number {
  return Object.values(requestItems).reduce((sum, requests) => sum + requests.length, 0);
}

function withoutEmptyTables(requestItems: RequestItems): RequestItems {
  return Object.fromEntries(Object.entries(requestItems).filter(([, requests]) => requests.length > 0));
}
