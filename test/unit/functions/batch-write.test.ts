/**
 * The BatchWriteItem retry loop, driven by a fake writer. The writer is the
 * injected `write(requestItems) => unprocessed` seam, not a mock of the AWS
 * SDK: this tests our loop's logic (what is retried, how long it waits, when
 * it gives up); whether DynamoDB returns UnprocessedItems is for the
 * integration tests.
 */
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  MAX_BATCH_WRITE_REQUESTS,
  UnprocessedItemsError,
  writeAll,
  writeWithRetry,
  type BatchWriter,
  type RequestItems,
} from '../../../functions/ddb-cw/batch-write.js';
import { backoffDelay } from '../../../functions/shared/retry.js';

const TABLE = 'iot-backend-SensorDataTable-ABC123';

function requests(count: number, from = 0): WriteRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    PutRequest: { Item: { SensorId: { S: `s-${from + i}` }, Timestamp: { S: '2024-05-01T00:00:00.000Z' }, Value: { N: '1' } } },
  }));
}

const idOf = (request: WriteRequest) => request.PutRequest!.Item!.SensorId!.S!;

/** A table that accepts at most `capacity` items per call and hands the rest back. */
function throttledTable(capacity: number) {
  const written: string[] = [];
  const calls: number[] = [];
  const write: BatchWriter = async (items) => {
    const all = items[TABLE] ?? [];
    calls.push(all.length);
    written.push(...all.slice(0, capacity).map(idOf));
    const rest = all.slice(capacity);
    const unprocessed: RequestItems = rest.length > 0 ? { [TABLE]: rest } : {};
    return unprocessed;
  };
  return { write, written, calls };
}

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe('BatchWriteItem with UnprocessedItems retry', () => {
  it('one call when everything is processed', async () => {
    const table = throttledTable(25);
    const { delays, sleep } = recordingSleep();
    expect(await writeWithRetry({ [TABLE]: requests(25) }, table.write, { sleep })).to.deep.equal({ calls: 1 });
    expect(delays).to.be.empty;
    expect(table.written).to.have.length(25);
  });

  it('retries only the unprocessed items until all are written, waiting longer each time', async () => {
    const table = throttledTable(10);
    const { delays, sleep } = recordingSleep();
    const { calls } = await writeWithRetry({ [TABLE]: requests(25) }, table.write, { sleep, random: () => 0.5 });
    expect(calls).to.equal(3);
    expect(table.calls).to.deep.equal([25, 15, 5]);
    expect(table.written.sort()).to.deep.equal(requests(25).map(idOf).sort());
    expect(delays).to.have.length(2);
    expect(delays[1]).to.be.greaterThan(delays[0]!);
  });

  it('treats an undefined or empty-table UnprocessedItems as done', async () => {
    expect(await writeWithRetry({ [TABLE]: requests(1) }, async () => undefined)).to.deep.equal({ calls: 1 });
    expect(await writeWithRetry({ [TABLE]: requests(1) }, async () => ({ [TABLE]: [] }))).to.deep.equal({ calls: 1 });
  });

  it('throws after maxAttempts when items stay unprocessed, so the stream retries the batch', async () => {
    const table = throttledTable(0);
    const { delays, sleep } = recordingSleep();
    const attempt = writeWithRetry({ [TABLE]: requests(3) }, table.write, { sleep, maxAttempts: 4 });
    const error = await attempt.then(
      () => expect.fail('should have thrown'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UnprocessedItemsError);
    expect(error).to.include({ unprocessed: 3, attempts: 4 });
    expect((error as Error).message).to.match(/3 item\(s\) unprocessed after 4 attempts/);
    expect(table.calls).to.have.length(4);
    expect(delays).to.have.length(3);
  });

  it('gives up early rather than sleep past the function timeout', async () => {
    const table = throttledTable(0);
    const { delays, sleep } = recordingSleep();
    const error = await writeWithRetry({ [TABLE]: requests(2) }, table.write, {
      sleep,
      timeLeftMs: () => 1_000,
      reserveMs: 1_500,
    }).then(
      () => expect.fail('should have thrown'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UnprocessedItemsError);
    expect((error as Error).message).to.match(/about to time out/);
    expect(table.calls).to.have.length(1);
    expect(delays).to.be.empty;
  });

  it(`writeAll splits into calls of at most ${MAX_BATCH_WRITE_REQUESTS} and writes every request`, async () => {
    const table = throttledTable(25);
    const stats = await writeAll(TABLE, requests(60), table.write);
    expect(table.calls).to.deep.equal([25, 25, 10]);
    expect(stats).to.deep.equal({ calls: 3, retries: 0 });
    expect(table.written).to.deep.equal(requests(60).map(idOf));
  });

  it('writeAll counts retries across chunks', async () => {
    const table = throttledTable(20);
    const { sleep } = recordingSleep();
    const stats = await writeAll(TABLE, requests(50), table.write, { sleep });
    expect(table.calls).to.deep.equal([25, 5, 25, 5]);
    expect(stats).to.deep.equal({ calls: 4, retries: 2 });
  });

  it('writeAll makes no call for an empty batch', async () => {
    const table = throttledTable(25);
    expect(await writeAll(TABLE, [], table.write)).to.deep.equal({ calls: 0, retries: 0 });
    expect(table.calls).to.be.empty;
  });
});

describe('backoff', () => {
  const policy = { baseDelayMs: 50, maxDelayMs: 1000 };

  it('grows exponentially with equal jitter: between half and all of the step', () => {
    for (const [retry, step] of [
      [0, 50],
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      expect(backoffDelay(retry, policy, () => 0)).to.equal(step / 2);
      expect(backoffDelay(retry, policy, () => 0.999999)).to.be.closeTo(step, 0.01);
    }
  });

  it('is capped', () => {
    for (const retry of [5, 10, 50, 1000]) {
      expect(backoffDelay(retry, policy, () => 0.999999)).to.be.at.most(1000);
      expect(backoffDelay(retry, policy, () => 0)).to.equal(500);
    }
  });
});
