/**
 * Waits until the cloud's process tree is (nearly) idle, so a phase does not
 * measure the tail of the one before it — log delivery, archiving, garbage
 * collection. CPU time comes from /proc/<pid>/stat (utime + stime, in clock
 * ticks); elsewhere there is nothing cheap to read, and it only pauses briefly.
 */
import { readFileSync } from 'node:fs';
import { sleep } from './context.js';
import { describeProcess, processTreeMemory } from './process-memory.js';

/** Linux reports CPU times in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export interface QuietOptions {
  /** Busy share of one core below which the tree counts as quiet (default 0.15). */
  threshold?: number;
  windowMs?: number;
  timeoutMs?: number;
}

/** Answers how long it waited. */
export async function waitUntilQuiet(rootPid: number, options: QuietOptions = {}): Promise<number> {
  const { threshold = 0.15, windowMs = 300, timeoutMs = 15_000 } = options;
  const started = performance.now();
  if (process.platform !== 'linux') {
    await sleep(windowMs);
    return performance.now() - started;
  }
  let before = treeCpuSeconds(rootPid);
  for (;;) {
    await sleep(windowMs);
    const after = treeCpuSeconds(rootPid);
    const busy = (after - before) / (windowMs / 1000);
    if (busy < threshold || performance.now() - started > timeoutMs) return performance.now() - started;
    before = after;
  }
}

/** CPU seconds used so far by a process and its live descendants. */
export function treeCpuSeconds(rootPid: number): number {
  let seconds = 0;
  for (const pid of processTreeMemory(rootPid).pids) seconds += cpuSeconds(pid);
  return seconds;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm)": state is field 3, utime field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0; // ended meanwhile
  }
}

export interface CpuShare {
  label: string;
  /** CPU time used in the interval, as a share of one core (1 = a full core). */
  cores: number;
}

/**
 * CPU use of each process of a tree (and of this process, the bench) between
 * two points in time: which process was busy — is the cloud's one thread the
 * bottleneck, or the functions, or the machine?
 */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly startedAt = performance.now();
  private readonly benchStart = process.cpuUsage();

  constructor(private readonly rootPid: number) {
    for (const pid of processTreeMemory(rootPid).pids) this.start.set(pid, cpuSeconds(pid));
  }

  /** Shares since construction, busiest first; processes started meanwhile count from zero. */
  read(): CpuShare[] {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const shares: CpuShare[] = processTreeMemory(this.rootPid).pids.map((pid) => ({
      label: pid === this.rootPid ? 'local cloud' : describeProcess(pid),
      cores: (cpuSeconds(pid) - (this.start.get(pid) ?? 0)) / elapsed,
    }));
    const bench = process.cpuUsage(this.benchStart);
    shares.push({ label: 'bench (this process)', cores: (bench.user + bench.system) / 1e6 / elapsed });
    return shares.filter((s) => s.cores >= 0.005).sort((a, b) => b.cores - a.cores);
  }
}
