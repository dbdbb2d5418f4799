/**
 * Waits until the cloud's process tree is (nearly) idle, so a phase does not
 * measure the tail of the one before it — log delivery, archiving, garbage
 * collection. CPU time comes from /proc/<pid>/stat (utime + stime, in clock
 * ticks); elsewhere there is nothing cheap to read, and it only pauses briefly.
 */
import { readFileSync } from 'node:fs';
import { sleep } from './context.js';
import { processTreeMemory } from './process-memory.js';

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
  let ticks = 0;
  for (const pid of processTreeMemory(rootPid).pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm)": state is field 3, utime field 14, stime field 15.
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended meanwhile
    }
  }
  return ticks / TICKS_PER_SECOND;
}
