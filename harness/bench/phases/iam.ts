/**
 * What the trust boundary costs: the project's stack deployed on a cloud with
 * IAM enforced (`localcloud start --iam enforce`: every request's signature
 * verified, every action evaluated against the caller's policies, the
 * functions acting as their roles) and on one with IAM off (`--iam off`:
 * nothing checked), each measured the same way, in the same run:
 *  - pipeline throughput with the TestClient's keys, one cloud at a time,
 *    rounds alternating the order (enforce first, then off first);
 *  - warm API invokes paired — one on each cloud in turn — so load from
 *    elsewhere on a shared machine lands on both sides alike.
 * Both clouds are fresh; the main stack's cloud is stopped before this phase runs.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { clientConfig } from '../clients.js';
import { spawnCloud, type CloudProcess } from '../cloud-process.js';
import { testClientCredentials, type DeployedStack, type PhaseContext } from '../context.js';
import { waitUntilQuiet } from '../quiet.js';
import { sensorId } from '../sensor-events.js';
import { percentiles, summarize, type Percentiles, type Summary } from '../stats.js';
import { deployOnce, stackOutputs } from './deploy.js';
import { measureThroughput, type ThroughputRun } from './throughput.js';

/** How CpuMeter labels the bench's own share (harness/bench/quiet.ts). */
const BENCH_PROCESS_LABEL = 'bench (this process)';

const WARMUP_INVOKES = 10;

export type ComparedMode = 'enforce' | 'off';

export interface IamModeResult {
  /** One figure per round. */
  eventsPerSec: Summary;
  apiP50Ms: Summary;
  apiP99Ms: Summary;
  deployMs: Summary;
  lostEvents: number;
  /**
   * CPU time the cloud's process tree (cloud and function processes) spent per
   * event over the throughput run: work done, where events/s is work done over
   * wall time, so it holds better on a machine others are loading.
   */
  cpuMsPerEvent: Summary;
}

export interface IamComparison {
  enforce: IamModeResult;
  off: IamModeResult;
  rounds: number;
  eventsPerRun: number;
  apiInvokes: number;
  /** 1 − enforce / off throughput (medians): 0.05 means enforcing costs 5 % of the throughput. */
  throughputCost: number;
  /** enforce − off API p50 (medians), in ms. */
  p50CostMs: number;
  /** enforce ÷ off − 1 of the cloud's CPU time per event (medians): 0.05 means enforcing takes 5 % more CPU per event. */
  cpuCostPerEvent: number;
  /** The median of the per-pair differences (enforce − off) of the paired invokes, in ms: the same cost, less exposed to drift. */
  pairedDiffP50Ms: number;
}

interface RoundFigures {
  eventsPerSec: number;
  apiP50Ms: number;
  apiP99Ms: number;
  deployMs: number;
  lost: number;
  cpuMsPerEvent: number;
}

export async function measureIamCost(context: PhaseContext): Promise<IamComparison> {
  const { options, progress } = context;
  const figures: Record<ComparedMode, RoundFigures[]> = { enforce: [], off: [] };
  // The throughput phase is reused as it is, on a smaller load, its lines labelled with the mode.
  const load = { ...options, events: options.iamEvents, throughputRuns: 1 };
  const pairedDiffs: number[] = [];
  for (let round = 1; round <= options.iamRounds; round++) {
    const order: ComparedMode[] = round % 2 === 1 ? ['enforce', 'off'] : ['off', 'enforce'];
    const tag = options.iamRounds > 1 ? ` ${round}/${options.iamRounds}` : '';
    const stacks = new Map<ComparedMode, DeployedStack>();
    const measured: Partial<Record<ComparedMode, Partial<RoundFigures>>> = {};
    try {
      for (const mode of order) {
        const line = progress.phase(`IAM ${mode}${tag}: deploy`);
        let cloud: CloudProcess | undefined;
        try {
          line.update('starting a fresh cloud');
          cloud = await spawnCloud({ iam: mode });
          line.update('deploying');
          const deployed = await deployOnce(cloud);
          stacks.set(mode, { cloud, outputs: stackOutputs(deployed.outputs) });
          measured[mode] = { deployMs: deployed.durationMs };
          line.done(`${deployed.durationMs.toFixed(0)} ms to CREATE_COMPLETE (--iam ${mode})`);
        } catch (error) {
          await cloud?.stop();
          line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
          throw new Error(`--iam ${mode}: ${error instanceof Error ? error.message : error}`);
        }
      }
      // Throughput one cloud at a time (the other one idles), in this round's order.
      for (const mode of order) {
        const stack = stacks.get(mode)!;
        await waitUntilQuiet(stack.cloud.pid);
        const throughput = await measureThroughput({ options: load, progress: progress.prefixed(`IAM ${mode}${tag}: `) }, stack);
        Object.assign(measured[mode]!, { eventsPerSec: throughput.eventsPerSec.median, lost: throughput.lostEvents, cpuMsPerEvent: cpuMsPerEvent(throughput.runs[0]) });
      }
      // API latency paired: one invoke on each cloud in turn, so load from elsewhere on the machine lands on both alike.
      const api = await pairedApi(context, stacks.get('enforce')!, stacks.get('off')!, tag);
      pairedDiffs.push(...api.diffs);
      Object.assign(measured.enforce!, { apiP50Ms: api.enforce.p50, apiP99Ms: api.enforce.p99 });
      Object.assign(measured.off!, { apiP50Ms: api.off.p50, apiP99Ms: api.off.p99 });
      figures.enforce.push(measured.enforce as RoundFigures);
      figures.off.push(measured.off as RoundFigures);
    } finally {
      await Promise.all([...stacks.values()].map((s) => s.cloud.stop()));
    }
  }
  const enforce = modeResult(figures.enforce);
  const off = modeResult(figures.off);
  return {
    enforce,
    off,
    rounds: options.iamRounds,
    eventsPerRun: options.iamEvents,
    apiInvokes: options.apiInvokes,
    throughputCost: 1 - enforce.eventsPerSec.median / off.eventsPerSec.median,
    p50CostMs: enforce.apiP50Ms.median - off.apiP50Ms.median,
    pairedDiffP50Ms: percentiles(pairedDiffs).p50,
    cpuCostPerEvent: enforce.cpuMsPerEvent.median / off.cpuMsPerEvent.median - 1,
  };
}

/**
 * The query function on both clouds with the TestClient keys, warm (a few
 * unmeasured invokes each), then `apiInvokes` pairs: enforce then off, off
 * then enforce, alternating. Also the per-pair difference (enforce − off).
 */
async function pairedApi(
  { options, progress }: PhaseContext,
  enforce: DeployedStack,
  off: DeployedStack,
  tag: string,
): Promise<{ enforce: Percentiles; off: Percentiles; diffs: number[] }> {
  const line = progress.phase(`IAM enforce/off${tag}: API, paired`);
  const clients = new Map<DeployedStack, LambdaClient>([
    [enforce, new LambdaClient(clientConfig(enforce.cloud.url, testClientCredentials(enforce.outputs)))],
    [off, new LambdaClient(clientConfig(off.cloud.url, testClientCredentials(off.outputs)))],
  ]);
  // A sensor the throughput run filled: the query returns its 20 newest items.
  const payload = Buffer.from(JSON.stringify({ operation: 'query', sensorid: sensorId('tp1', 0) }));
  const invoke = async (stack: DeployedStack): Promise<number> => {
    const started = performance.now();
    const output = await clients.get(stack)!.send(new InvokeCommand({ FunctionName: stack.outputs.LambdaAPIFunction, Payload: payload }));
    const elapsed = performance.now() - started;
    if (output.FunctionError) throw new Error(`the query function failed (${output.FunctionError}): ${Buffer.from(output.Payload ?? []).toString('utf8')}`);
    return elapsed;
  };
  const samples = { enforce: [] as number[], off: [] as number[] };
  const diffs: number[] = [];
  try {
    await Promise.all([waitUntilQuiet(enforce.cloud.pid), waitUntilQuiet(off.cloud.pid)]);
    for (let i = 0; i < WARMUP_INVOKES; i++) {
      await invoke(enforce);
      await invoke(off);
    }
    for (let i = 0; i < options.apiInvokes; i++) {
      let e: number;
      let o: number;
      if (i % 2 === 0) {
        e = await invoke(enforce);
        o = await invoke(off);
      } else {
        o = await invoke(off);
        e = await invoke(enforce);
      }
      samples.enforce.push(e);
      samples.off.push(o);
      diffs.push(e - o);
      if (i % 10 === 0) line.update(`${i}/${options.apiInvokes} pairs`);
    }
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    for (const client of clients.values()) client.destroy();
  }
  const result = { enforce: percentiles(samples.enforce), off: percentiles(samples.off), diffs };
  line.done(
    `p50 ${result.enforce.p50.toFixed(1)} / ${result.off.p50.toFixed(1)} ms, p99 ${result.enforce.p99.toFixed(1)} / ${result.off.p99.toFixed(1)} ms ` +
      `over ${options.apiInvokes} pairs; per pair, enforce − off: p50 ${percentiles(diffs).p50.toFixed(2)} ms`,
  );
  return result;
}

function modeResult(rounds: RoundFigures[]): IamModeResult {
  return {
    eventsPerSec: summarize(rounds.map((r) => r.eventsPerSec)),
    apiP50Ms: summarize(rounds.map((r) => r.apiP50Ms)),
    apiP99Ms: summarize(rounds.map((r) => r.apiP99Ms)),
    deployMs: summarize(rounds.map((r) => r.deployMs)),
    lostEvents: rounds.reduce((sum, r) => sum + r.lost, 0),
    cpuMsPerEvent: summarize(rounds.map((r) => r.cpuMsPerEvent)),
  };
}

/** CPU ms per event of the cloud's process tree over one throughput run (the bench's own process left out). */
function cpuMsPerEvent(run: ThroughputRun | undefined): number {
  if (!run || run.events === 0) return Number.NaN;
  const cores = run.cpu.filter((c) => c.label !== BENCH_PROCESS_LABEL).reduce((sum, c) => sum + c.cores, 0);
  return (cores * run.elapsedMs) / run.events;
}
