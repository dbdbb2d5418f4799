/**
 * The JSON report: the headline figures under stable keys in the units their
 * names say (the contract `make bench` promises), the spread of each repeated
 * figure, the goals, and the machine it ran on. Figures a failed phase could
 * not produce are null, and the phase's error is listed.
 */
import os from 'node:os';
import { IAM_MODE_ENV, resolveIamMode } from '../../localcloud/auth/mode.js';
import { GOALS, goalMet } from './goals.js';
import type { BenchOptions } from './options.js';
import type { ApiResult } from './phases/api.js';
import type { ColdStartResult } from './phases/cold-start.js';
import type { DeployPhaseResult } from './phases/deploy.js';
import type { DynamoFloorResult } from './phases/dynamo-floor.js';
import type { HotReloadResult } from './phases/hot-reload.js';
import type { IamComparison, IamModeResult } from './phases/iam.js';
import type { KinesisPutResult } from './phases/kinesis-put.js';
import type { LatencyResult } from './phases/latency.js';
import type { IdleMemory } from './phases/memory.js';
import type { ThroughputResult } from './phases/throughput.js';
import { round, type Percentiles, type Summary } from './stats.js';

/** What the phases produced; a phase that failed or was skipped leaves its entry out. */
export interface PhaseResults {
  loopback?: Percentiles;
  coldStart?: ColdStartResult;
  deploy?: Omit<DeployPhaseResult, 'stack'>;
  idleMemory?: IdleMemory;
  dynamoFloor?: DynamoFloorResult;
  kinesisPut?: KinesisPutResult;
  throughput?: ThroughputResult;
  latency?: LatencyResult;
  api?: ApiResult;
  kinesisLocal?: Summary;
  putMetricData?: Percentiles;
  iam?: IamComparison;
  hotReload?: HotReloadResult;
}

export interface PhaseError {
  phase: string;
  message: string;
}

type Num = number | null;

export interface IamModeFigures {
  throughputEventsPerSec: Num;
  apiLatencyMs: { p50: Num; p99: Num };
  deployMs: Num;
  lostEvents: Num;
  /** CPU ms the cloud and its function processes spent per event in the throughput run. */
  cpuMsPerEvent: Num;
  /** Spread over the rounds. */
  details: Record<string, unknown> | null;
}

export interface BenchReport {
  createdAt: string;
  quick: boolean;
  coldStartMs: Num;
  deployMs: Num;
  throughputEventsPerSec: Num;
  dynamoFloorItemsPerSec: Num;
  /** Throughput as a fraction of the DynamoDB floor (0..1). */
  throughputVsDynamoFloor: Num;
  latencyMs: { p50: Num; p95: Num; p99: Num };
  apiLatencyMs: { p50: Num; p99: Num };
  memoryMb: { idle: Num; peak: Num };
  kinesisPutRecordsPerSec: Num;
  kinesisLocalPutRecordsPerSec: Num;
  loopbackRttMs: Num;
  /** make up's watch: saving an edit of the API function until it answers with the new code. */
  hotReloadMs: Num;
  /**
   * IAM enforced against IAM off, the same stack measured alike on two fresh
   * clouds in this run (harness/bench/phases/iam.ts). The figures above are
   * measured on a cloud in `mainCloudMode` (the default: enforce).
   */
  iam: {
    mainCloudMode: string;
    enforce: IamModeFigures;
    off: IamModeFigures;
    /** 1 − enforce/off throughput: the share of throughput enforcement costs (goal ≤ 0.1). */
    throughputCost: Num;
    /** enforce − off API p50, ms (goal ≤ 1). */
    p50CostMs: Num;
    /** Median of enforce − off over the paired invokes (one on each cloud in turn), ms. */
    pairedDiffP50Ms: Num;
    /** enforce ÷ off − 1 of the cloud tree's CPU ms per event over the throughput runs. */
    cpuCostPerEvent: Num;
    rounds: Num;
    eventsPerRun: Num;
    apiInvokes: Num;
  };
  /** Events per throughput run. */
  events: Num;
  /** Events put but missing from the table or the archive at the end, over all runs. */
  lostEvents: Num;
  machine: {
    cpus: number;
    node: string;
    platform: string;
    arch: string;
    cpuModel: string;
    memoryMb: number;
    /** 1, 5 and 15 minute load averages at the start and at the end of the run. */
    loadAverageAtStart?: number[];
    loadAverage: number[];
  };
  goals: { key: string; label: string; limit: number; kind: 'max' | 'min'; value: Num; met: boolean | null }[];
  /** Spread and breakdown of every figure: medians with min/max, runs, sub-timings. */
  details: Record<string, unknown>;
  options: Omit<BenchOptions, 'resultsDir'>;
  errors: PhaseError[];
}

export function buildReport(
  results: PhaseResults,
  options: BenchOptions,
  errors: PhaseError[],
  createdAt = new Date(),
  loadAverageAtStart?: number[],
): BenchReport {
  const { coldStart, deploy, idleMemory, dynamoFloor, kinesisPut, throughput, latency, api, kinesisLocal, loopback, putMetricData, iam, hotReload } = results;
  const throughputRate = throughput?.eventsPerSec.median;
  const floor = dynamoFloor?.itemsPerSec.median;
  const { resultsDir: _ignored, ...shownOptions } = options;
  const report: BenchReport = {
    createdAt: createdAt.toISOString(),
    quick: options.quick,
    coldStartMs: num(coldStart?.processMs.median),
    deployMs: num(deploy?.deployMs.median),
    throughputEventsPerSec: num(throughputRate),
    dynamoFloorItemsPerSec: num(floor),
    throughputVsDynamoFloor: throughputRate !== undefined && floor ? num(throughputRate / floor, 3) : null,
    latencyMs: { p50: num(latency?.ms.p50, 2), p95: num(latency?.ms.p95, 2), p99: num(latency?.ms.p99, 2) },
    apiLatencyMs: { p50: num(api?.ms.p50, 2), p99: num(api?.ms.p99, 2) },
    memoryMb: { idle: num(idleMemory?.rssMb.median), peak: num(throughput?.peakMemoryMb) },
    kinesisPutRecordsPerSec: num(kinesisPut?.recordsPerSec.median),
    kinesisLocalPutRecordsPerSec: num(kinesisLocal?.median),
    loopbackRttMs: num(loopback?.p50, 3),
    hotReloadMs: num(hotReload?.ms.median),
    iam: {
      mainCloudMode: mainCloudIamMode(),
      enforce: modeFigures(iam?.enforce),
      off: modeFigures(iam?.off),
      throughputCost: num(iam?.throughputCost, 3),
      p50CostMs: num(iam?.p50CostMs, 2),
      pairedDiffP50Ms: num(iam?.pairedDiffP50Ms, 2),
      cpuCostPerEvent: num(iam?.cpuCostPerEvent, 3),
      rounds: iam ? iam.rounds : null,
      eventsPerRun: iam ? iam.eventsPerRun : null,
      apiInvokes: iam ? iam.apiInvokes : null,
    },
    events: throughput ? throughput.eventsPerRun : null,
    lostEvents: throughput ? throughput.lostEvents + (latency?.unseen ?? 0) : null,
    machine: machineInfo(loadAverageAtStart),
    goals: [],
    details: {
      coldStart: coldStart && {
        processMs: summary(coldStart.processMs),
        inProcessMs: summary(coldStart.inProcessMs),
        inProcessFirstImportMs: num(coldStart.inProcessImportMs),
      },
      deploy: deploy && {
        deployMs: summary(deploy.deployMs),
        buildMs: num(deploy.buildMs),
        // The last run, from the stack's events: the engine's share of the deploy, and the slowest resources.
        engineMs: num(deploy.timeline?.engineMs),
        slowestResources: deploy.timeline?.resources.slice(0, 6).map((r) => ({ ...r, startMs: num(r.startMs), durationMs: num(r.durationMs) })),
      },
      idleMemory: idleMemory && {
        rssMb: summary(idleMemory.rssMb),
        processes: idleMemory.processes,
        byProcess: idleMemory.breakdown.map((p) => ({ label: p.label, rssMb: num(p.rssMb) })),
      },
      throughput: throughput && {
        eventsPerSec: summary(throughput.eventsPerSec),
        missingDatapoints: throughput.missingDatapoints,
        peakMemoryByProcess: throughput.peakBreakdown.map((p) => ({ label: p.label, rssMb: num(p.rssMb) })),
        runs: throughput.runs.map((r) => ({ ...roundAll(r), cpu: r.cpu.map((c) => ({ label: c.label, cores: num(c.cores, 2) })) })),
      },
      latency: latency && { ...roundAll({ ...latency.ms }, 2), rate: latency.rate, seconds: latency.seconds, events: latency.events, unseen: latency.unseen, polls: latency.polls, pollRttMs: num(latency.pollRttMs, 2), drainMs: num(latency.drainMs), firstTenthP50Ms: num(latency.firstTenthP50Ms), lastTenthP50Ms: num(latency.lastTenthP50Ms) },
      api: api && {
        ...roundAll({ ...api.ms }, 2),
        itemsPerAnswer: api.itemsReturned,
        handlerMs: api.handler && roundAll({ ...api.handler.durationMs }, 2),
      },
      dynamoFloor: dynamoFloor && {
        itemsPerSec: summary(dynamoFloor.itemsPerSec),
        serialItemsPerSec: summary(dynamoFloor.serialItemsPerSec),
        // One call of 25 items, one at a time: what the processor's write costs at the least.
        serialCallMs: num((25 / dynamoFloor.serialItemsPerSec.median) * 1000, 2),
        // The processor writes one call at a time: its throughput against that pace.
        throughputVsSerial: throughputRate !== undefined ? num(throughputRate / dynamoFloor.serialItemsPerSec.median, 3) : null,
      },
      putMetricData: putMetricData && { callOf25Ms: roundAll({ ...putMetricData }, 2) },
      kinesisPut: kinesisPut && { recordsPerSec: summary(kinesisPut.recordsPerSec), http1RecordsPerSec: summary(kinesisPut.http1RecordsPerSec) },
      kinesisLocal: kinesisLocal && { recordsPerSec: summary(kinesisLocal) },
      loopback: loopback && roundAll({ ...loopback }, 3),
      hotReload: hotReload && { ms: summary(hotReload.ms), readyMs: summary(hotReload.readyMs), firstInvokeMs: summary(hotReload.firstInvokeMs) },
    },
    options: shownOptions,
    errors,
  };
  report.goals = GOALS.map((goal) => {
    const value = valueAt(report, goal.key);
    return { key: goal.key, label: goal.label, limit: goal.limit, kind: goal.kind, value, met: goalMet(goal, value) ?? null };
  });
  return report;
}

/** The keys every report must carry as finite numbers (dotted paths). */
export const REQUIRED_NUMBERS = [
  'coldStartMs',
  'deployMs',
  'throughputEventsPerSec',
  'dynamoFloorItemsPerSec',
  'latencyMs.p50',
  'latencyMs.p95',
  'latencyMs.p99',
  'apiLatencyMs.p50',
  'apiLatencyMs.p99',
  'memoryMb.idle',
  'memoryMb.peak',
  'kinesisPutRecordsPerSec',
  'kinesisLocalPutRecordsPerSec',
  'loopbackRttMs',
  'hotReloadMs',
  'iam.enforce.throughputEventsPerSec',
  'iam.off.throughputEventsPerSec',
  'iam.enforce.apiLatencyMs.p50',
  'iam.off.apiLatencyMs.p50',
  'iam.throughputCost',
  'iam.p50CostMs',
  'events',
  'lostEvents',
  'machine.cpus',
] as const;

/**
 * What is wrong with a report, as sentences; empty when it is complete. Checks
 * only completeness and correctness (no event lost) — never how fast anything was.
 */
export function reportProblems(report: unknown): string[] {
  const problems: string[] = [];
  for (const key of REQUIRED_NUMBERS) {
    const value = valueAt(report, key);
    if (value === undefined) problems.push(`${key} is missing`);
    else if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${key} is not a finite number (${JSON.stringify(value)})`);
  }
  const node = valueAt(report, 'machine.node');
  if (typeof node !== 'string' || node === '') problems.push('machine.node is missing');
  const lost = valueAt(report, 'lostEvents');
  if (typeof lost === 'number' && lost !== 0) problems.push(`${lost} events were lost (put, but missing from the table or the archive)`);
  for (const mode of ['enforce', 'off']) {
    const lostInMode = valueAt(report, `iam.${mode}.lostEvents`);
    if (typeof lostInMode === 'number' && lostInMode !== 0) problems.push(`${lostInMode} events were lost with --iam ${mode}`);
  }
  const errors = valueAt(report, 'errors');
  if (Array.isArray(errors)) for (const e of errors as PhaseError[]) problems.push(`${e.phase} failed: ${e.message.split('\n')[0]}`);
  return problems;
}

export function valueAt(object: unknown, dottedKey: string): any {
  let value: any = object;
  for (const part of dottedKey.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function machineInfo(loadAverageAtStart?: number[]): BenchReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    ...(loadAverageAtStart ? { loadAverageAtStart: loadAverageAtStart.map((l) => round(l, 2)) } : {}),
    loadAverage: os.loadavg().map((l) => round(l, 2)),
  };
}

function modeFigures(mode: IamModeResult | undefined): IamModeFigures {
  return {
    throughputEventsPerSec: num(mode?.eventsPerSec.median),
    apiLatencyMs: { p50: num(mode?.apiP50Ms.median, 2), p99: num(mode?.apiP99Ms.median, 2) },
    deployMs: num(mode?.deployMs.median),
    lostEvents: mode ? mode.lostEvents : null,
    cpuMsPerEvent: num(mode?.cpuMsPerEvent.median, 3),
    details: mode
      ? { eventsPerSec: summary(mode.eventsPerSec), apiP50Ms: summary(mode.apiP50Ms, 2), apiP99Ms: summary(mode.apiP99Ms, 2), deployMs: summary(mode.deployMs), cpuMsPerEvent: summary(mode.cpuMsPerEvent, 3) }
      : null,
  };
}

/** The mode the main phases' cloud ran in: it is started without --iam, so $LOCALCLOUD_IAM or enforce. */
function mainCloudIamMode(): string {
  try {
    return resolveIamMode(undefined);
  } catch {
    return `invalid ${IAM_MODE_ENV}: ${process.env[IAM_MODE_ENV]}`;
  }
}

function num(value: number | undefined, digits = 1): Num {
  return value === undefined || !Number.isFinite(value) ? null : round(value, digits);
}

function summary(s: Summary, digits = 1): Record<string, Num> {
  return { median: num(s.median, digits), min: num(s.min, digits), max: num(s.max, digits), runs: s.runs };
}

function roundAll<T extends object>(object: T, digits = 1): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, typeof v === 'number' ? num(v, digits) : v]));
}
