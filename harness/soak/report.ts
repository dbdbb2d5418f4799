/**
 * The soak's JSON report: headline figures under stable keys, the goals of
 * issue 11 (value, target, met — for steering, never asserted), and the
 * invariants, which are: no acknowledged event lost, every answer to hostile
 * input AWS-shaped, the cloud alive throughout, descriptors bounded, nothing
 * planted on Object.prototype, no zip writing outside its folder. Those are
 * correctness, not speed, so a broken one fails the run (quick or full).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeGoal, goalMet, type Goal } from '../bench/goals.js';
import { valueAt } from '../bench/report.js';
import { round } from '../bench/stats.js';
import type { Paint } from '../support/terminal.js';
import type { Restart } from './cloud.js';
import type { SoakOptions } from './options.js';
import type { CrashResult } from './phases/crash.js';
import type { DeployMemoryResult } from './phases/deploy-memory.js';
import type { FuzzResult } from './phases/fuzz.js';
import type { LongRunResult } from './phases/long-run.js';
import type { MixedLoadResult } from './phases/mixed-load.js';
import type { WireLoadResult } from './phases/wire-load.js';
import type { CpuBound } from './cpu.js';

export interface SilentConnection {
  label: string;
  /** When the cloud closed it, or null if it was still open when judged. */
  closedAfterMs: number | null;
  openForMs: number;
}

export interface SoakResults {
  fuzz?: FuzzResult;
  silent?: SilentConnection[];
  mixedLoad?: MixedLoadResult;
  wireLoad?: WireLoadResult;
  crash?: CrashResult;
  deployMemory?: DeployMemoryResult;
  longRun?: LongRunResult;
  /** Restarts and unrequested exits of the clouds the soak did not kill itself. */
  restarts: Restart[];
  crashes: string[];
  /** The most descriptors the main clouds' process trees held at any sample. */
  maxFds: number;
}

export interface PhaseError {
  phase: string;
  message: string;
}

export const SOAK_GOALS: readonly Goal[] = [
  { key: 'lostEvents', label: 'acknowledged events lost under kill -9', limit: 0, kind: 'max', unit: '' },
  { key: 'nonAwsShaped', label: 'non-AWS-shaped answers to garbage', limit: 0, kind: 'max', unit: '' },
  { key: 'serverRestarts', label: 'cloud restarts (froze or died)', limit: 0, kind: 'max', unit: '' },
  { key: 'maxEventLoopStallMs', label: 'longest event-loop stall (fuzz)', limit: 1000, kind: 'max', unit: 'ms' },
  { key: 'mixedLoad.p99Ms', label: 'mixed load p99 (SDK clients)', limit: 100, kind: 'max', unit: 'ms' },
  { key: 'wireLoad.p99Ms', label: 'mixed load p99, cloud alone (wire clients)', limit: 100, kind: 'max', unit: 'ms' },
  { key: 'mixedLoad.idleMemoryVsBefore', label: 'idle memory / before load', limit: 1.2, kind: 'max', unit: '×' },
  { key: 'longRun.memorySlopeMbPerMin', label: 'long-run memory slope', limit: 1, kind: 'max', unit: 'MB/min' },
  { key: 'deployMemoryMb', label: 'memory right after deploy', limit: 150, kind: 'max', unit: 'MB' },
  { key: 'maxFds', label: 'descriptors of the cloud (peak)', limit: 500, kind: 'max', unit: '' },
];

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export function buildReport(results: SoakResults, options: SoakOptions, errors: PhaseError[], createdAt: Date) {
  const { fuzz, mixedLoad, wireLoad, crash, deployMemory, longRun, silent } = results;
  const { resultsDir: _ignored, ...shownOptions } = options;
  const stillOpen = silent?.filter((c) => c.closedAfterMs === null && c.openForMs >= options.silentLimitSeconds * 1000) ?? [];
  const report = {
    createdAt: createdAt.toISOString(),
    quick: options.quick,
    fuzzRequests: fuzz?.requests ?? null,
    nonAwsShaped: fuzz?.nonAwsShaped ?? null,
    serverRestarts: results.restarts.length + results.crashes.length,
    prototypePolluted: fuzz ? fuzz.polluted.length : null,
    zipEscapes: fuzz ? fuzz.zipEscapes.length : null,
    maxEventLoopStallMs: fuzz ? round(fuzz.maxStall.ms) : null,
    silentConnections: silent && {
      limitSeconds: options.silentLimitSeconds,
      stillOpenPastLimit: stillOpen.length,
      /** Judged only once open longer than the limit; a shorter run cannot tell. */
      judged: silent.filter((c) => c.closedAfterMs !== null || c.openForMs >= options.silentLimitSeconds * 1000).length,
      connections: silent.map((c) => ({ ...c, closedAfterMs: c.closedAfterMs === null ? null : round(c.closedAfterMs), openForMs: round(c.openForMs) })),
    },
    mixedLoad: mixedLoad && {
      clients: mixedLoad.clients,
      seconds: mixedLoad.seconds,
      calls: mixedLoad.calls,
      errors: mixedLoad.errors,
      errorRate: round(mixedLoad.errorRate, 4),
      p99Ms: round(mixedLoad.p99Ms),
      idleMemoryVsBefore: round(mixedLoad.memoryMb.idleVsBefore, 2),
      memoryMb: roundAll(mixedLoad.memoryMb),
      cloudMemoryMb: roundAll(mixedLoad.cloudMemoryMb, 2),
      environments: mixedLoad.environments,
      fds: roundAll(mixedLoad.fds),
      forcedGc: mixedLoad.forcedGc,
      cpu: mixedLoad.cpu ?? null,
      operations: operationTable(mixedLoad.operations),
    },
    wireLoad: wireLoad && {
      clients: wireLoad.clients,
      seconds: wireLoad.seconds,
      calls: wireLoad.calls,
      errors: wireLoad.errors,
      p50Ms: round(wireLoad.p50Ms),
      p99Ms: round(wireLoad.p99Ms),
      cpu: wireLoad.cpu ?? null,
      operations: operationTable(wireLoad.operations),
    },
    lostEvents: crash?.lost ?? null,
    crash: crash && { ...crash, restartMs: crash.restartMs.map((ms) => round(ms)), drainMs: round(crash.drainMs) },
    longRun: longRun && {
      seconds: longRun.seconds,
      invokes: longRun.invokes,
      queries: longRun.queries,
      errors: longRun.errors,
      firstError: longRun.firstError,
      memorySlopeMbPerMin: round(longRun.memoryMb.slopePerMin, 2),
      memoryMb: roundAll(longRun.memoryMb),
      cloudMemorySlopeMbPerMin: round(longRun.cloudMemoryMb.slopePerMin, 2),
      cloudMemoryMb: roundAll(longRun.cloudMemoryMb),
      fds: roundAll(longRun.fds),
    },
    deployMemoryMb: deployMemory ? round(deployMemory.rssMb) : null,
    maxFds: Number.isFinite(results.maxFds) ? results.maxFds : null,
    goals: [] as { key: string; label: string; limit: number; kind: string; value: number | null; met: boolean | null }[],
    invariants: [] as Invariant[],
    details: {
      fuzzClasses: fuzz?.classes.map((c) => ({ ...c, ms: round(c.ms) })),
      nonAwsShapedExamples: fuzz?.examples,
      restarts: results.restarts,
      crashes: results.crashes,
      prototypePolluted: fuzz?.polluted,
      pollutionCheckErrors: fuzz?.pollutionCheckErrors,
      zipEscapes: fuzz?.zipEscapes,
      longestStall: fuzz && { ms: round(fuzz.maxStall.ms), during: fuzz.maxStall.during },
      deployMemoryByProcess: deployMemory?.byProcess.map((p) => ({ label: p.label, rssMb: round(p.rssMb) })),
      mixedLoadSamples: mixedLoad?.samples.map((s) => roundAll(s)),
      longRunSamples: longRun?.samples.map((s) => roundAll(s)),
    },
    options: { ...shownOptions, maxRestartsPerClass: Number.isFinite(options.maxRestartsPerClass) ? options.maxRestartsPerClass : null },
    machine: machineInfo(),
    errors,
  };
  report.goals = SOAK_GOALS.map((goal) => {
    const value = valueAt(report, goal.key);
    const v = typeof value === 'number' && Number.isFinite(value) ? value : null;
    return { key: goal.key, label: goal.label, limit: goal.limit, kind: goal.kind, value: v, met: goalMet(goal, v) ?? null };
  });
  report.invariants = invariants(report, results, options, errors);
  return report;
}

export type SoakReport = ReturnType<typeof buildReport>;

function invariants(report: { nonAwsShaped: number | null; lostEvents: number | null }, results: SoakResults, options: SoakOptions, errors: PhaseError[]): Invariant[] {
  const { fuzz, crash } = results;
  const list: Invariant[] = [];
  const add = (name: string, ok: boolean, detail: string) => list.push({ name, ok, detail });
  add('0 acknowledged events lost', crash !== undefined && crash.lost === 0,
    crash ? `${crash.lost} of ${crash.acknowledged} acknowledged records missing after ${crash.kills} kill -9s${crash.lost ? ` (e.g. ${crash.lostExamples.slice(0, 3).join(', ')})` : ''}` : 'the crash phase did not run');
  add('0 non-AWS-shaped answers', fuzz !== undefined && fuzz.nonAwsShaped === 0,
    fuzz ? `${fuzz.nonAwsShaped} of ${fuzz.requests} answers were not AWS-shaped${fuzz.examples[0] ? `; first: [${fuzz.examples[0].class}] ${fuzz.examples[0].case} → ${fuzz.examples[0].outcome}` : ''}` : 'the fuzz did not run');
  const deaths = [...results.restarts.map((r) => `${r.reason} during ${r.during}`), ...results.crashes];
  add('the cloud stays alive', deaths.length === 0, deaths.length ? `${deaths.length} restarts; first: ${deaths[0]!.slice(0, 300)}` : 'never froze, never died');
  add(`descriptors bounded (< ${options.fdLimit})`, Number.isFinite(results.maxFds) && results.maxFds < options.fdLimit, `peak ${results.maxFds} open descriptors in the cloud's process tree`);
  add('Object.prototype not polluted', fuzz !== undefined && fuzz.polluted.length === 0 && fuzz.pollutionCheckErrors.length === 0,
    !fuzz ? 'the fuzz did not run' : fuzz.polluted.length ? `a new function environment carried ${fuzz.polluted.join(', ')} (first after: ${fuzz.classes.find((c) => c.planted.length)?.name})` : fuzz.pollutionCheckErrors.length ? `the check could not run: ${fuzz.pollutionCheckErrors[0]}` : 'no planted variable reached a new function environment');
  add('no zip writes outside its folder', fuzz !== undefined && fuzz.zipEscapes.length === 0, fuzz ? (fuzz.zipEscapes.length ? `written outside: ${fuzz.zipEscapes.join(', ')}` : 'nothing escaped') : 'the fuzz did not run');
  const silent = results.silent ?? [];
  const due = silent.filter((c) => c.closedAfterMs !== null || c.openForMs >= options.silentLimitSeconds * 1000);
  const open = due.filter((c) => c.closedAfterMs === null);
  // Judged only past the limit: a quick run is shorter, and says so instead of passing silently.
  add(`silent connections closed within ${options.silentLimitSeconds} s`, open.length === 0,
    due.length === 0 ? `not judged: the run ended before ${options.silentLimitSeconds} s had passed (${silent.length} connections open ${Math.round((silent[0]?.openForMs ?? 0) / 1000)} s)` : open.length ? `${open.length} of ${silent.length} still open after ${Math.round(open[0]!.openForMs / 1000)} s: ${open.map((c) => c.label).join(', ')}` : `all ${due.length} closed`);
  for (const e of errors) add(`phase ${e.phase} completes`, false, e.message.split('\n')[0]!);
  void report;
  return list;
}

export function writeReport(report: SoakReport, resultsDir: string): { latest: string; dated: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.createdAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const latest = path.join(resultsDir, report.quick ? 'soak-latest-quick.json' : 'soak-latest.json');
  const dated = path.join(resultsDir, `soak${report.quick ? '-quick' : ''}-${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  for (const file of [dated, latest]) {
    writeFileSync(`${file}.${process.pid}.tmp`, json);
    renameSync(`${file}.${process.pid}.tmp`, file);
  }
  return { latest, dated };
}

function operationTable(operations: MixedLoadResult['operations']) {
  return Object.fromEntries(
    Object.entries(operations).map(([op, s]) => [op, { calls: s.calls, errors: s.errors, errorKinds: s.errorKinds, p50Ms: round(s.ms.p50), p99Ms: round(s.ms.p99), maxMs: round(s.ms.max) }]),
  );
}

/**
 * What bounds a load's latency, in a line: how busy the machine was, the CPU
 * each call cost on each side, and the throughput and mean latency that follow.
 */
export function describeBound(name: string, clients: number, cpu: CpuBound | null | undefined): string | undefined {
  if (!cpu) return undefined;
  const { msPerCall: ms, coresBusy } = cpu;
  return (
    `${name}: machine ${Math.round(cpu.machineBusy * 100)} % busy (${cpu.cores} cores); CPU per call: load generator ${ms.loadGenerator} ms ` +
    `(${coresBusy.loadGenerator} cores), cloud ${ms.cloud} ms (${coresBusy.cloud}), environments ${ms.environments} ms; ` +
    `${cpu.callsPerSecond.toLocaleString('en-US')} calls/s of at most ~${cpu.cpuBoundCallsPerSecond.toLocaleString('en-US')} these costs allow, ` +
    `so ${clients} closed-loop clients wait ${cpu.littleMeanMs} ms on average (Little's law)`
  );
}

/** The goals with ✓/✗, what bounds the load's latency, then the invariants. */
export function renderTable(report: SoakReport, paint: Paint): string {
  const rows = report.goals.map((g) => {
    const goal = SOAK_GOALS.find((s) => s.key === g.key)!;
    const mark = g.met === null ? paint('yellow', '?') : g.met ? paint('green', '✓') : paint('red', '✗');
    const value = g.value === null ? 'n/a' : `${g.value.toLocaleString('en-US')}${goal.unit && goal.unit !== '×' ? ` ${goal.unit}` : goal.unit}`;
    return [g.label, value, describeGoal(goal), mark];
  });
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['Goal', 'Value', 'Target'][i]!.length));
  const format = (r: string[]) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3] ?? ''}`.trimEnd();
  const lines = [paint('bold', format(['Goal', 'Value', 'Target', ''])), '─'.repeat(widths.reduce((a, b) => a + b + 2, 2)), ...rows.map(format), ''];
  const bounds = [
    report.mixedLoad && describeBound('SDK clients', report.mixedLoad.clients, report.mixedLoad.cpu),
    report.wireLoad && describeBound('wire clients', report.wireLoad.clients, report.wireLoad.cpu),
  ].filter((b): b is string => Boolean(b));
  if (bounds.length) lines.push(paint('bold', 'What bounds the load latency:'), ...bounds.map((b) => `  ${b}`), '');
  lines.push(paint('bold', 'Invariants:'));
  for (const inv of report.invariants) lines.push(`  ${inv.ok ? paint('green', '✓') : paint('red', '✗')} ${inv.name}: ${inv.detail}`);
  return lines.join('\n');
}

function machineInfo() {
  const cpus = os.cpus();
  return { cpus: cpus.length, node: process.version, platform: process.platform, cpuModel: cpus[0]?.model.trim() ?? 'unknown', memoryMb: Math.round(os.totalmem() / 2 ** 20), loadAverage: os.loadavg().map((l) => round(l, 2)) };
}

function roundAll<T extends object>(object: T, digits = 1): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, typeof v === 'number' ? round(v, digits) : v]));
}
