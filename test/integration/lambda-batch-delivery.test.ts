import type { _Record } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { deliverBatch, type BatchOutcome, type RetryPolicy } from '../../localcloud/services/lambda/kinesis/batch-delivery.js';

/**
 * The retry policy of Kinesis event source mappings in isolation (the
 * end-to-end behaviour is in lambda-event-source-mapping.test.ts): what is
 * retried, split, skipped and acknowledged, in which order. Driven with a
 * scripted function, so record ages and attempt counts need no waiting.
 */
describe('Lambda Kinesis batch delivery policy', () => {
  const record = (seq: number, ageSeconds = 0): _Record => ({
    SequenceNumber: String(seq),
    PartitionKey: 'k',
    Data: new Uint8Array(),
    ApproximateArrivalTimestamp: new Date(Date.now() - ageSeconds * 1000),
  });
  const seqs = (records: _Record[]) => records.map((r) => Number(r.SequenceNumber));
  const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    bisectBatchOnFunctionError: false,
    ...overrides,
  });

  /** Runs deliverBatch against `fn`, recording every call. */
  async function run(records: _Record[], p: RetryPolicy, fn: (batch: number[], attempt: number) => BatchOutcome) {
    const invoked: number[][] = [];
    const acknowledged: number[] = [];
    const skipped: Array<{ records: number[]; reason: string }> = [];
    const completed = await deliverBatch(records, p, {
      invoke: async (batch) => {
        invoked.push(seqs(batch));
        return fn(seqs(batch), invoked.length);
      },
      acknowledge: (batch) => acknowledged.push(...seqs(batch)),
      skipped: (batch, reason) => skipped.push({ records: seqs(batch), reason }),
      pause: async () => true,
      stopping: () => false,
    });
    return { completed, invoked, acknowledged, skipped };
  }

  it('retries a failed batch, whole and in order, until it succeeds', async () => {
    const result = await run([record(1), record(2), record(3)], policy(), (_b, attempt) => (attempt < 4 ? { ok: false, reason: 'boom' } : { ok: true }));
    expect(result.completed).to.equal(true);
    expect(result.invoked).to.deep.equal([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    expect(result.acknowledged).to.deep.equal([1, 2, 3]);
    expect(result.skipped).to.deep.equal([]);
  });

  it('skips the batch after MaximumRetryAttempts retries', async () => {
    const result = await run([record(1), record(2)], policy({ maximumRetryAttempts: 2 }), () => ({ ok: false, reason: 'boom' }));
    expect(result.invoked).to.have.length(3);
    expect(result.skipped).to.deep.equal([{ records: [1, 2], reason: 'retry attempts exhausted (2)' }]);
    // Given up on is done with: the checkpoint moves past it.
    expect(result.acknowledged).to.deep.equal([1, 2]);
  });

  it('bisects a failing batch down to the poison record, without counting splits as retries', async () => {
    const poison = 6;
    const result = await run(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => record(n)),
      policy({ maximumRetryAttempts: 0, bisectBatchOnFunctionError: true }),
      (batch) => (batch.includes(poison) ? { ok: false, reason: 'poison' } : { ok: true }),
    );
    expect(result.invoked).to.deep.equal([[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4], [5, 6, 7, 8], [5, 6], [5], [6], [7, 8]]);
    expect(result.skipped).to.deep.equal([{ records: [6], reason: 'retry attempts exhausted (0)' }]);
    expect(result.acknowledged).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('discards records older than MaximumRecordAgeInSeconds before invoking', async () => {
    const result = await run([record(1, 120), record(2, 90), record(3, 5)], policy({ maximumRecordAgeInSeconds: 60 }), () => ({ ok: true }));
    expect(result.invoked).to.deep.equal([[3]]);
    expect(result.skipped).to.deep.equal([{ records: [1, 2], reason: 'older than MaximumRecordAgeInSeconds (60)' }]);
    expect(result.acknowledged).to.deep.equal([1, 2, 3]);
  });

  it('acknowledges what precedes the first reported item failure and retries from there', async () => {
    const result = await run([1, 2, 3, 4].map((n) => record(n)), policy(), (batch, attempt) =>
      attempt === 1 ? { ok: true, failedFrom: '3' } : { ok: true },
    );
    expect(result.invoked).to.deep.equal([[1, 2, 3, 4], [3, 4]]);
    expect(result.acknowledged).to.deep.equal([1, 2, 3, 4]);
  });

  it('stops when the poller is stopping, acknowledging only what the function processed', async () => {
    let stopping = false;
    const acknowledged: number[] = [];
    const hooks = {
      acknowledge: (batch: _Record[]) => acknowledged.push(...seqs(batch)),
      skipped: () => {},
      pause: async () => true,
      stopping: () => stopping,
    };
    const succeeded = await deliverBatch([record(1)], policy(), {
      ...hooks,
      invoke: async () => {
        stopping = true;
        return { ok: true };
      },
    });
    expect(succeeded).to.equal(true); // nothing left to deliver
    expect(acknowledged).to.deep.equal([1]);
    stopping = false;
    const failed = await deliverBatch([record(2)], policy(), {
      ...hooks,
      invoke: async () => {
        stopping = true;
        return { ok: false, reason: 'killed by stop()' };
      },
    });
    expect(failed).to.equal(false);
    expect(acknowledged).to.deep.equal([1]);
  });
});
