/** The soak's CPU accounting: per-call costs, busy cores and Little's law from two snapshots. */
import os from 'node:os';
import { expect } from 'chai';
import { cpuBetween, cpuSnapshot, type CpuSnapshot } from '../../../harness/soak/cpu.js';

const at = (atMs: number, loadGeneratorMs: number, cloudMs: number, environmentsMs: number, machineBusyMs: number, machineTotalMs: number): CpuSnapshot =>
  ({ atMs, loadGeneratorMs, cloudMs, environmentsMs, machineBusyMs, machineTotalMs });

describe('soak CPU accounting', () => {
  it('turns two snapshots into per-call costs, busy cores and the mean latency of a closed loop', () => {
    // 10 s, 12,000 calls: the generator spent 9.6 s of CPU, the cloud 6 s, environments 0.4 s; the machine was busy 32 of 40 core-seconds.
    const bound = cpuBetween(at(0, 100, 200, 0, 1000, 5000), at(10_000, 9700, 6200, 400, 33_000, 45_000), 12_000, 50)!;
    expect(bound.callsPerSecond).to.equal(1200);
    expect(bound.msPerCall).to.deep.equal({ loadGenerator: 0.8, cloud: 0.5, environments: 0.033, total: 1.333 });
    expect(bound.coresBusy).to.deep.equal({ loadGenerator: 0.96, cloud: 0.6, environments: 0.04 });
    expect(bound.machineBusy).to.equal(0.8);
    // 50 clients each with one call in flight at 1,200 calls/s: 41.7 ms each on average.
    expect(bound.littleMeanMs).to.equal(41.7);
    const cores = os.availableParallelism();
    expect(bound.cpuBoundCallsPerSecond).to.be.closeTo((cores * 1000) / (16_000 / 12_000), 0.1);
  });

  it('answers nothing without both snapshots or without calls', () => {
    const s = at(0, 0, 0, 0, 0, 1);
    expect(cpuBetween(undefined, s, 10, 1)).to.equal(undefined);
    expect(cpuBetween(s, s, 0, 1)).to.equal(undefined);
  });

  it('reads this machine through /proc (Linux)', function () {
    if (process.platform !== 'linux') this.skip();
    const snapshot = cpuSnapshot(process.pid)!;
    expect(snapshot.cloudMs).to.be.greaterThan(0);
    expect(snapshot.machineTotalMs).to.be.greaterThan(snapshot.machineBusyMs);
  });
});
