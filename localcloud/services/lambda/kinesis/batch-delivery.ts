import type { _Record } from '@aws-sdk/client-kinesis';

/** The error-handling settings of a mapping that decide what happens to a failed batch. */
export interface RetryPolicy {
  /** -1: retry until the records expire. */
  maximumRetryAttempts: number;
  /** -1: records never expire. */
  maximumRecordAgeInSeconds: number;
  bisectBatchOnFunctionError: boolean;
}

/** How one invocation of the function with a batch went. */
export type BatchOutcome =
  | { ok: true }
  /** The function succeeded but reported (ReportBatchItemFailures) that records from this sequence number on failed. */
  | { ok: true; failedFrom: string }
  | { ok: false; reason: string };

export interface DeliveryHooks {
  invoke(records: _Record[]): Promise<BatchOutcome>;
  /** These records are done with (processed, or given up on): checkpoint after the last. */
  acknowledge(records: _Record[]): void;
  /** These records are given up on: retries exhausted or too old. */
  skipped(records: _Record[], reason: string): void;
  /** Waits before a retry; resolves false when the poller is stopping. */
  pause(ms: number): Promise<boolean>;
  stopping(): boolean;
}

interface Pending {
  records: _Record[];
  /** Failed attempts so far. */
  failures: number;
}

/**
 * Delivers a batch with Lambda's stream semantics: records stay in order, a
 * failed batch is retried (the shard waits) until it succeeds, exceeds
 * MaximumRetryAttempts, or its records exceed MaximumRecordAgeInSeconds; with
 * BisectBatchOnFunctionError a failed batch is split in two and the halves are
 * retried in order (splitting does not count against the retry quota).
 * Returns false when it stopped early (the unacknowledged records are redelivered later).
 */
export async function deliverBatch(records: _Record[], policy: RetryPolicy, hooks: DeliveryHooks): Promise<boolean> {
  const queue: Pending[] = [{ records, failures: 0 }];
  while (queue.length > 0) {
    if (hooks.stopping()) return false;
    const item = queue[0];
    dropExpired(item, policy, hooks);
    if (item.records.length === 0) {
      queue.shift();
      continue;
    }

    const outcome = await hooks.invoke(item.records);
    if (outcome.ok && !('failedFrom' in outcome)) {
      // Acknowledged even when stopping: a batch the function processed is not redelivered.
      hooks.acknowledge(item.records);
      queue.shift();
      continue;
    }
    if (hooks.stopping()) return false;
    if (outcome.ok) {
      // A partial success: what precedes the first failed record is done.
      const index = item.records.findIndex((r) => r.SequenceNumber === outcome.failedFrom);
      if (index > 0) {
        hooks.acknowledge(item.records.slice(0, index));
        item.records = item.records.slice(index);
      }
    }

    if (policy.bisectBatchOnFunctionError && item.records.length > 1) {
      const half = Math.ceil(item.records.length / 2);
      queue.splice(0, 1, { records: item.records.slice(0, half), failures: item.failures }, { records: item.records.slice(half), failures: item.failures });
      continue;
    }
    item.failures++;
    if (policy.maximumRetryAttempts >= 0 && item.failures > policy.maximumRetryAttempts) {
      hooks.skipped(item.records, `retry attempts exhausted (${policy.maximumRetryAttempts})`);
      hooks.acknowledge(item.records);
      queue.shift();
      continue;
    }
    if (!(await hooks.pause(retryDelayMs(item.failures)))) return false;
  }
  return true;
}

/**
 * Records older than MaximumRecordAgeInSeconds are discarded before each
 * attempt. Arrival times never decrease within a shard, so they are a prefix.
 */
function dropExpired(item: Pending, policy: RetryPolicy, hooks: DeliveryHooks): void {
  if (policy.maximumRecordAgeInSeconds < 0) return;
  const oldest = Date.now() - policy.maximumRecordAgeInSeconds * 1000;
  let count = 0;
  while (count < item.records.length && (item.records[count].ApproximateArrivalTimestamp?.getTime() ?? Infinity) < oldest) count++;
  if (count === 0) return;
  const expired = item.records.slice(0, count);
  hooks.skipped(expired, `older than MaximumRecordAgeInSeconds (${policy.maximumRecordAgeInSeconds})`);
  hooks.acknowledge(expired);
  item.records = item.records.slice(count);
}

/** Exponential backoff between retries of a failed batch: 100 ms doubling, at most 5 s. */
export function retryDelayMs(failures: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(failures - 1, 6));
}
