import { expect } from 'chai';
import type { ExecutionEnvironment } from '../../../localcloud/services/lambda/runtime/environment.js';
import { EnvironmentPool } from '../../../localcloud/services/lambda/runtime/pool.js';

/** Just what the pool uses of an environment. */
function fakeEnvironment(revisionId = 'r1') {
  const exits: Array<() => void> = [];
  const env = {
    alive: true,
    revisionId,
    onExit: (listener: () => void) => exits.push(listener),
    dispose() {
      if (!env.alive) return;
      env.alive = false;
      for (const listener of exits) listener();
    },
  };
  return env as typeof env & ExecutionEnvironment;
}

describe('Lambda environment pool', () => {
  it('stops an environment that finished starting after its function was deleted, instead of keeping it', async () => {
    const pool = new EnvironmentPool();
    const lease = await pool.acquire('r1', 1);
    expect(lease.env).to.equal(undefined); // a slot to start one
    pool.disposeAll(new Error('gone'));
    const env = fakeEnvironment();
    expect(pool.started(env)).to.equal(false);
    expect(env.alive).to.equal(false);
    expect(pool.size).to.equal(0);
  });

  it('fails invocations waiting for an environment when the pool closes, and any that ask afterwards', async () => {
    const pool = new EnvironmentPool();
    await pool.acquire('r1', 1);
    const env = fakeEnvironment();
    expect(pool.started(env)).to.equal(true);
    const waiting = pool.acquire('r1', 1);
    pool.disposeAll(new Error('the function is gone'));
    expect(env.alive).to.equal(false);
    let failure: unknown;
    await waiting.catch((err) => (failure = err));
    expect((failure as Error).message).to.equal('the function is gone');
    failure = undefined;
    await pool.acquire('r1', 1).catch((err) => (failure = err));
    expect((failure as Error).message).to.equal('the function is gone');
  });
});
