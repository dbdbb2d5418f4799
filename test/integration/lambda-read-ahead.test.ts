import type { _Record } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import type { BatchOutcome } from '../../localcloud/services/lambda/kinesis/batch-delivery.js';
import { CheckpointStore } from '../../localcloud/services/lambda/kinesis/checkpoints.js';
import { ShardPoller } from '../../localcloud/services/lambda/kinesis/shard-poller.js';
import type { ShardPosition, StreamReader } from '../../localcloud/services/lambda/kinesis/stream-reader.js';
import type { EventSourceMapping } from '../../localcloud/services/lambda/model/event-source-mappings.js';

/**
 * A shard poller reads ahead while the function works on a batch. Whatever
 * the timing of reads, invocations, failures and stops, every invocation must
 * start right after the last acknowledged record and hold consecutive
 * records: read-ahead may change when records are fetched, never which ones a
 * batch holds or in what order. Driven with a scripted shard and function
 * whose delays and failures are random (seeded, so a failure repeats).
 */
describe('Lambda Kinesis read-ahead', function () {
  this.timeout(60_000);

  // mulberry32
  let seed = 0x1234;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(random() * max);
  /** 0–`max` ms, sometimes none at all (a promise that settles at once). */
  const jitter = (max: number) => (random() < 0.3 ? Promise.resolve() : new Promise((r) => setTimeout(r, int(max + 1))));
  const sequenceOf = (index: number) => String(1e15 + index);
  const indexOf = (record: _Record) => Number(record.SequenceNumber) - 1e15;

  /** One shard: records appended over time; reads return random-sized pages after random delays. */
  class ScriptedShard {
    readonly records: _Record[] = [];
    closed = false;
    reads = 0;
    /** Reads that ran while the function was working on a batch: the read-ahead at work. */
    readsDuringInvoke = 0;
    invoking = false;

    append(count: number): void {
      for (let i = 0; i < count; i++) {
        const index = this.records.length;
        this.records.push({ SequenceNumber: sequenceOf(index), PartitionKey: 'k', Data: Buffer.from(String(index)), ApproximateArrivalTimestamp: new Date() });
      }
    }

    reader(): StreamReader {
      const shard = this;
      return {
        stream: { accountId: '000000000000', region: 'us-east-1', streamName: 'scripted', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/scripted' },
        async iterator(_shardId: string, position: ShardPosition) {
          await jitter(2);
          if (position.type === 'AFTER_SEQUENCE_NUMBER') return String(Number(position.sequenceNumber) - 1e15 + 1);
          if (position.type === 'TRIM_HORIZON') return '0';
          throw new Error(`unexpected position ${position.type}`);
        },
        async records(iterator: string, limit: number) {
          shard.reads++;
          if (shard.invoking) shard.readsDuringInvoke++;
          await jitter(3);
          const start = Number(iterator);
          // Kinesis may return fewer records than asked for.
          const page = shard.records.slice(start, start + Math.min(limit, 1 + int(60)));
          const next = start + page.length;
          return { records: page, nextIterator: shard.closed && next >= shard.records.length ? undefined : String(next) };
        },
        async listShards() {
          return [];
        },
        async describe() {},
        close() {},
      } as unknown as StreamReader;
    }
  }

  interface Run {
    shard: ScriptedShard;
    checkpoints: CheckpointStore;
    /** Every invocation, as record indexes. */
    invocations: number[][];
    /** Records acknowledged so far, in order (what a checkpoint would say was done). */
    acknowledged: number[];
  }

  function mapping(overrides: Partial<EventSourceMapping> = {}): EventSourceMapping {
    return {
      uuid: 'read-ahead-test',
      enabled: true,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: false,
      functionResponseTypes: [],
      ...overrides,
    } as EventSourceMapping;
  }

  /** A poller on `run.shard` whose function fails or partly fails at random and checks each batch it is given. */
  function startPoller(run: Run, settings: EventSourceMapping): ShardPoller {
    const checkpointed = () => run.checkpoints.get(settings.uuid).shards['shardId-000000000000']?.sequenceNumber;
    return new ShardPoller(
      {
        reader: run.shard.reader(),
        checkpoints: run.checkpoints,
        mapping: () => settings,
        log: () => {},
        skipped: () => {},
        async invoke(records): Promise<BatchOutcome> {
          const indexes = records.map(indexOf);
          run.invocations.push(indexes);
          // Never a skip: a batch starts right after the last acknowledged record...
          const last = checkpointed();
          expect(indexes[0], `batch ${JSON.stringify(indexes)} after checkpoint ${last}`).to.equal(last === undefined ? 0 : Number(last) - 1e15 + 1);
          // ...and holds consecutive records, at most BatchSize of them.
          indexes.forEach((index, k) => expect(index).to.equal(indexes[0] + k));
          expect(indexes.length).to.be.at.most(settings.batchSize);
          run.shard.invoking = true;
          await jitter(4);
          run.shard.invoking = false;
          const roll = random();
          if (roll < 0.15) return { ok: false, reason: 'scripted failure' };
          if (roll < 0.25 && records.length > 1) return { ok: true, failedFrom: records[1 + int(records.length - 1)].SequenceNumber! };
          return { ok: true };
        },
      },
      'shardId-000000000000',
      { type: 'TRIM_HORIZON' },
    );
  }

  function newRun(): Run {
    const run: Run = { shard: new ScriptedShard(), checkpoints: new CheckpointStore(undefined), invocations: [], acknowledged: [] };
    // Record what each checkpoint move acknowledges.
    const update = run.checkpoints.update.bind(run.checkpoints);
    run.checkpoints.update = (uuid, change) => {
      const before = run.checkpoints.get(uuid).shards['shardId-000000000000']?.sequenceNumber;
      update(uuid, change);
      const after = run.checkpoints.get(uuid).shards['shardId-000000000000']?.sequenceNumber;
      if (after !== before && after !== undefined) {
        const from = before === undefined ? 0 : Number(before) - 1e15 + 1;
        for (let i = from; i <= Number(after) - 1e15; i++) run.acknowledged.push(i);
      }
    };
    return run;
  }

  async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  for (const [name, settings] of [
    ['BatchSize 10', mapping()],
    ['BatchSize 3, bisecting failed batches', mapping({ batchSize: 3, bisectBatchOnFunctionError: true })],
    ['BatchSize 25, a 50 ms batching window', mapping({ batchSize: 25, maximumBatchingWindowInSeconds: 0.05 })],
  ] as const) {
    it(`delivers every record once, in order, never skipping, while reading ahead (${name})`, async () => {
      const run = newRun();
      const poller = startPoller(run, settings);
      // Records arrive in bursts while the poller works, each announced as kinesis:records would.
      for (let burst = 0; burst < 40; burst++) {
        run.shard.append(1 + int(40));
        poller.wake();
        await jitter(10);
      }
      run.shard.closed = true;
      poller.wake();
      expect(await poller.finished).to.equal('shard-ended');

      const total = run.shard.records.length;
      expect(run.acknowledged).to.deep.equal([...Array(total).keys()]);
      expect(run.shard.readsDuringInvoke, 'reads while a batch was with the function').to.be.greaterThan(0);
    });
  }

  it('after a stop, resumes right after the checkpoint: what was read ahead is delivered again, nothing is skipped', async () => {
    const run = newRun();
    const settings = mapping({ batchSize: 7 });
    run.shard.append(600);
    for (let restart = 0; restart < 8; restart++) {
      const poller = startPoller(run, settings);
      poller.wake();
      // Stop at a random moment: mid-read, mid-invocation, between batches.
      await until(() => run.invocations.length > 0 || restart > 0, 'a first invocation');
      await new Promise((r) => setTimeout(r, int(30)));
      poller.stop();
      expect(await poller.finished).to.equal('stopped');
    }
    run.shard.closed = true;
    const poller = startPoller(run, settings);
    poller.wake();
    expect(await poller.finished).to.equal('shard-ended');
    // The batch check in invoke() proved each restart began right after the checkpoint.
    expect(run.acknowledged).to.deep.equal([...Array(600).keys()]);
  });

  it('keeps no more than its read-ahead while the function is stuck on a failing batch', async () => {
    const run = newRun();
    run.shard.append(5000);
    let attempts = 0;
    const settings = mapping({ batchSize: 25 });
    const poller = new ShardPoller(
      {
        reader: run.shard.reader(),
        checkpoints: run.checkpoints,
        mapping: () => settings,
        log: () => {},
        skipped: () => {},
        async invoke() {
          attempts++;
          return { ok: false, reason: 'always failing' };
        },
      },
      'shardId-000000000000',
      { type: 'TRIM_HORIZON' },
    );
    poller.wake();
    await until(() => attempts >= 3, 'three attempts of the failing batch');
    const readsWhileStuck = run.shard.reads;
    await new Promise((r) => setTimeout(r, 300));
    poller.stop();
    await poller.finished;
    // The read-ahead filled up (a few reads) and then stopped reading: 5,000 records were never all fetched.
    expect(run.shard.reads - readsWhileStuck).to.be.at.most(2);
    expect(run.acknowledged).to.deep.equal([]);
  });
});
