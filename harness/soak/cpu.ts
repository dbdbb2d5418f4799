/**
 * Where the CPU goes under load: the load generator (this process), the
 * cloud, its function environments, and the machine as a whole, read from
 * /proc between two snapshots. Closed-loop clients wait for each answer
 * before sending the next, so their mean latency is clients ÷ throughput
 * (Little's law), and throughput stops growing once the cores are busy: with
 * the machine saturated, the latency a load shows is bounded by the CPU each
 * call costs on each side, and this is the measurement that says so.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { processTreeMemory } from '../bench/process-memory.js';
import { round } from '../bench/stats.js';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every common kernel build). */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  atMs: number;
  loadGeneratorMs: number;
  /** The cloud's own process. */
  cloudMs: number;
  /** Its function environments: the live ones, and those it reaped (the kernel adds them to the parent). */
  environmentsMs: number;
  machineBusyMs: number;
  machineTotalMs: number;
}

export interface CpuBound {
  cores: number;
  /** Share of all cores busy over the window (1 = saturated). */
  machineBusy: number;
  callsPerSecond: number;
  /** CPU each call cost on each side, in ms. */
  msPerCall: { loadGenerator: number; cloud: number; environments: number; total: number };
  /** Cores each side kept busy on average. */
  coresBusy: { loadGenerator: number; cloud: number; environments: number };
  /** The mean latency any closed loop of this many clients must show at this throughput. */
  littleMeanMs: number;
  /** The throughput the machine's cores would allow at these per-call costs, were nothing else running. */
  cpuBoundCallsPerSecond: number;
}

export function cpuSnapshot(cloudPid: number): CpuSnapshot | undefined {
  if (process.platform !== 'linux') return undefined;
  const own = process.cpuUsage();
  const cloud = procTimes(cloudPid);
  if (!cloud) return undefined;
  let environmentsMs = cloud.reapedChildrenMs;
  for (const pid of processTreeMemory(cloudPid).pids) {
    if (pid !== cloudPid) environmentsMs += procTimes(pid)?.ownMs ?? 0;
  }
  const machine = machineTimes();
  return {
    atMs: performance.now(),
    loadGeneratorMs: (own.user + own.system) / 1000,
    cloudMs: cloud.ownMs,
    environmentsMs,
    machineBusyMs: machine.busyMs,
    machineTotalMs: machine.totalMs,
  };
}

export function cpuBetween(start: CpuSnapshot | undefined, end: CpuSnapshot | undefined, calls: number, clients: number): CpuBound | undefined {
  if (!start || !end || calls === 0) return undefined;
  const seconds = (end.atMs - start.atMs) / 1000;
  const per = (ms: number) => round(ms / calls, 3);
  const loadGenerator = end.loadGeneratorMs - start.loadGeneratorMs;
  const cloud = end.cloudMs - start.cloudMs;
  const environments = Math.max(0, end.environmentsMs - start.environmentsMs);
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const callsPerSecond = calls / seconds;
  const totalMsPerCall = (loadGenerator + cloud + environments) / calls;
  return {
    cores,
    machineBusy: round((end.machineBusyMs - start.machineBusyMs) / Math.max(1, end.machineTotalMs - start.machineTotalMs), 3),
    callsPerSecond: round(callsPerSecond),
    msPerCall: { loadGenerator: per(loadGenerator), cloud: per(cloud), environments: per(environments), total: round(totalMsPerCall, 3) },
    coresBusy: { loadGenerator: round(loadGenerator / 1000 / seconds, 2), cloud: round(cloud / 1000 / seconds, 2), environments: round(environments / 1000 / seconds, 2) },
    littleMeanMs: round((clients / callsPerSecond) * 1000),
    cpuBoundCallsPerSecond: round((cores * 1000) / totalMsPerCall),
  };
}

/** A process's own CPU time and that of the children it has reaped, in ms. */
function procTimes(pid: number): { ownMs: number; reapedChildrenMs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (field: number) => Number(fields[field - 3]);
  return {
    ownMs: ((ticks(14) + ticks(15)) * 1000) / TICKS_PER_SECOND,
    reapedChildrenMs: ((ticks(16) + ticks(17)) * 1000) / TICKS_PER_SECOND,
  };
}

/** All cores' busy and total time since boot, in ms (/proc/stat's first line). */
function machineTimes(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  const [, ...values] = line.trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busyMs: ((total - idle) * 1000) / TICKS_PER_SECOND, totalMs: (total * 1000) / TICKS_PER_SECOND };
}
