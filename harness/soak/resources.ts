/**
 * What the cloud holds, read from outside through /proc: resident memory and
 * open file descriptors of the cloud and every process it started, sampled
 * at an interval, and the slope of a series (least squares) — a leak shows
 * as a slope that does not flatten once the load is steady.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { processTreeMemory } from '../bench/process-memory.js';

export interface ResourceSample {
  /** Seconds since the sampler started. */
  t: number;
  rssMb: number;
  /** The cloud's own process, without the function environments it started (NaN off Linux). */
  cloudRssMb: number;
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

/**
 * What a tree's descriptors point at, counted by kind: `socket`, `pipe`,
 * `anon_inode:[eventfd]`…, and files by extension under the state folder
 * (`state:.ldb`, `state:.log`, `state:(none)` for S3's object files) or
 * elsewhere (`file:.js`). Finds who owns a peak: LevelDB tables, S3 objects
 * or connections.
 */
export function treeFdKinds(rootPid: number, stateDir?: string): Record<string, number> {
  const kinds: Record<string, number> = {};
  if (process.platform !== 'linux') return kinds;
  for (const pid of processTreeMemory(rootPid).pids) {
    let entries: string[];
    try {
      entries = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // ended meanwhile
    }
    for (const fd of entries) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      const kind = fdKind(target, stateDir);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  }
  return kinds;
}

function fdKind(target: string, stateDir: string | undefined): string {
  const special = /^(socket|pipe):/.exec(target);
  if (special) return special[1]!;
  if (target.startsWith('anon_inode:')) return target;
  if (!target.startsWith('/')) return 'other';
  const extension = path.extname(target.replace(/ \(deleted\)$/, '')) || '(none)';
  if (stateDir && target.startsWith(stateDir + path.sep)) return `state:${extension}`;
  if (target.startsWith('/dev/')) return 'device';
  return `file:${extension}`;
}

export function sampleTree(rootPid: number, t = 0): ResourceSample {
  const memory = processTreeMemory(rootPid);
  return { t, rssMb: memory.rssMb, cloudRssMb: processRssMb(rootPid), fds: treeFds(rootPid), processes: memory.processes };
}

/** Resident memory of one process, in MB (NaN off Linux or once it ended). */
export function processRssMb(pid: number): number {
  if (process.platform !== 'linux') return Number.NaN;
  try {
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return rss ? Number(rss[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a tree every `intervalMs` until stopped. The root pid is asked each time: a restarted cloud is followed. */
export class ResourceSampler {
  readonly samples: ResourceSample[] = [];
  /** What the descriptors pointed at when there were the most of them (see treeFdKinds). */
  peakFdKinds: Record<string, number> = {};
  private peakFds = -1;
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly rootPid: () => number,
    private readonly intervalMs = 1000,
    /** The cloud's state folder, to tell its files from others in peakFdKinds. */
    private readonly stateDir?: string,
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
    if (!Number.isFinite(sample.rssMb)) return;
    this.samples.push(sample);
    if (sample.fds > this.peakFds) {
      this.peakFds = sample.fds;
      this.peakFdKinds = treeFdKinds(this.rootPid(), this.stateDir);
    }
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
