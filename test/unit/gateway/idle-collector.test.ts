import { expect } from 'chai';
import { IdleCollector } from '../../../localcloud/gateway/idle-collector.js';
import { waitFor } from '../../support/wait.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A collector on a clock the test moves: its timers are real, its idea of "quiet" reads this clock. */
function collector(quietMs = 20) {
  const clock = { now: 0 };
  let collections = 0;
  const idle = new IdleCollector(quietMs, () => collections++, () => clock.now);
  return { idle, clock, collections: () => collections };
}

describe('IdleCollector', () => {
  it('collects once the requests have stopped for the quiet period, and only once', async () => {
    const { idle, clock, collections } = collector();
    idle.requestArrived();
    clock.now = 25;
    await waitFor(() => collections() === 1, 'a collection');
    await pause(100);
    expect(collections(), 'no second collection without new requests').to.equal(1);
    idle.stop();
  });

  it('does not collect while requests keep coming', async () => {
    const { idle, clock, collections } = collector();
    for (let i = 0; i < 10; i++) {
      idle.requestArrived();
      clock.now += 10;
      await pause(15);
    }
    expect(collections()).to.equal(0);
    clock.now += 20;
    await waitFor(() => collections() === 1, 'the collection after the last request');
    idle.stop();
  });

  it('collects again after the next burst', async () => {
    const { idle, clock, collections } = collector();
    idle.requestArrived();
    clock.now = 25;
    await waitFor(() => collections() === 1, 'the first collection');
    idle.requestArrived();
    clock.now = 50;
    await waitFor(() => collections() === 2, 'the second collection');
    idle.stop();
  });

  it('never collects after stop', async () => {
    const { idle, clock, collections } = collector();
    idle.requestArrived();
    idle.stop();
    clock.now = 100;
    await pause(60);
    expect(collections()).to.equal(0);
  });

  it('runs a real full collection by default', () => {
    // Node without --expose-gc: the collector must still find V8's collection, and leave no `gc` global behind.
    const idle = new IdleCollector(1);
    expect(() => (idle as unknown as { collect: () => void }).collect()).not.to.throw();
    if (!process.execArgv.includes('--expose-gc')) expect((globalThis as { gc?: unknown }).gc).to.equal(undefined);
    idle.stop();
  });
});
