/**
 * What the cloud holds, read from outside through /proc: resident memory and
 * open file descriptors of the cloud and every process it started, sampled
 * at an interval, and the slope of a series (least squares) — a leak shows
 * as a slope that does not flatten once the load is steady.
 */
import { readdirSync } from 'node:fs';
import { processTreeMemory } from '../bench/process-memory.js';

export interface ResourceSample {
  /** Seconds since the sampler started. */
  t: number;
  rssMb: number;
  fds: number;
  processes: number;
}

/** Open descriptors of a process and its descendants (NaN off Linux). */
export function treeFds(rootPid: number): number {
  if (process.platform !== 'linux') return Number.NaN;
  let fds = 0;
  for (const pid of processTreeMemory(rootPid).pids) {
    try {
      fds += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // ended meanwhile
    }
  }
  return fds;
}

export function sampleTree(rootPid: number, t = 0): ResourceSample {
  const memory = processTreeMemory(rootPid);
  return { t, rssMb: memory.rssMb, fds: treeFds(rootPid), processes: memory.processes };
}

/** Samples a tree every `intervalMs` until stopped. The root pid is asked each time: a restarted cloud is followed. */
export class ResourceSampler {
  readonly samples: ResourceSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly rootPid: () => number,
    private readonly intervalMs = 1000,
  ) {}

  start(): this {
    this.take();
    this.timer = setInterval(() => this.take(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): ResourceSample[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.take();
    return this.samples;
  }

  /** Seconds since start, for marking phases of the load on the samples' clock. */
  now(): number {
    return (performance.now() - this.started) / 1000;
  }

  private take(): void {
    const sample = sampleTree(this.rootPid(), this.now());
    if (Number.isFinite(sample.rssMb)) this.samples.push(sample);
  }
}

/** Least-squares slope of `value` over `t` (seconds), per minute. NaN with fewer than 3 points. */
export function slopePerMinute(samples: readonly ResourceSample[], value: (s: ResourceSample) => number): number {
  if (samples.length < 3) return Number.NaN;
  const n = samples.length;
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanV = samples.reduce((sum, s) => sum + value(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - meanT) * (value(s) - meanV);
    den += (s.t - meanT) ** 2;
  }
  return den === 0 ? Number.NaN : (num / den) * 60;
}

export function maxOf(samples: readonly ResourceSample[], value: (s: ResourceSample) => number): number {
  return samples.length ? samples.reduce((max, s) => Math.max(max, value(s)), -Infinity) : Number.NaN;
}
