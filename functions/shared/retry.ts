/**
 * Backoff for retry loops whose operation reports partial progress
 * (BatchWriteItem's UnprocessedItems), which the SDK's own retry does not cover.
 */

export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in milliseconds. */
  baseDelayMs: number;
  /** No single delay exceeds this, however many attempts came before. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 50, maxDelayMs: 1000 };

/**
 * Delay before retry number `retry` (0 for the first retry): exponential,
 * capped, with "equal jitter" — half of the step is fixed, half random.
 * Full jitter can draw several near-zero delays in a row and burn a bounded
 * number of attempts while the table is still throttled; equal jitter still
 * spreads concurrent writers apart but guarantees the wait keeps growing.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, retry);
  const step = Math.min(policy.maxDelayMs, exponential);
  return step / 2 + random() * (step / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
