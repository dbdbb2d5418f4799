/**
 * What the trust boundary costs: the project's stack deployed on a cloud with
 * IAM enforced (`localcloud start --iam enforce`: every request's signature
 * verified, every action evaluated against the caller's policies, the
 * functions acting as their roles) and on one with IAM off (`--iam off`:
 * nothing checked), each measured the same way — pipeline throughput with the
 * TestClient's keys and warm API invokes — in the same run. Rounds alternate
 * the order (enforce first, then off first), so drift on a shared machine
 * does not land on one side only. Each cloud is fresh and alone: the main
 * stack's cloud is stopped before this phase runs.
 */
import { spawnCloud, type CloudProcess } from '../cloud-process.js';
import type { DeployedStack, PhaseContext } from '../context.js';
import { waitUntilQuiet } from '../quiet.js';
import { summarize, type Summary } from '../stats.js';
import { measureApi } from './api.js';
import { deployOnce, stackOutputs } from './deploy.js';
import { measureThroughput } from './throughput.js';

export type ComparedMode = 'enforce' | 'off';

export interface IamModeResult {
  /** One figure per round. */
  eventsPerSec: Summary;
  apiP50Ms: Summary;
  apiP99Ms: Summary;
  deployMs: Summary;
  lostEvents: number;
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
}

interface RoundFigures {
  eventsPerSec: number;
  apiP50Ms: number;
  apiP99Ms: number;
  deployMs: number;
  lost: number;
}

export async function measureIamCost(context: PhaseContext): Promise<IamComparison> {
  const { options, progress } = context;
  const figures: Record<ComparedMode, RoundFigures[]> = { enforce: [], off: [] };
  // The measuring phases are reused as they are, on a smaller load, their lines labelled with the mode.
  const load = { ...options, events: options.iamEvents, throughputRuns: 1 };
  for (let round = 1; round <= options.iamRounds; round++) {
    const order: ComparedMode[] = round % 2 === 1 ? ['enforce', 'off'] : ['off', 'enforce'];
    for (const mode of order) {
      const label = options.iamRounds > 1 ? `IAM ${mode} ${round}/${options.iamRounds}: ` : `IAM ${mode}: `;
      const line = progress.prefixed(label).phase('deploy');
      let cloud: CloudProcess | undefined;
      try {
        line.update('starting a fresh cloud');
        cloud = await spawnCloud({ iam: mode });
        line.update('deploying');
        const deployed = await deployOnce(cloud);
        line.done(`${deployed.durationMs.toFixed(0)} ms to CREATE_COMPLETE (--iam ${mode})`);
        const stack: DeployedStack = { cloud, outputs: stackOutputs(deployed.outputs) };
        await waitUntilQuiet(cloud.pid);
        const phaseContext: PhaseContext = { options: load, progress: progress.prefixed(label) };
        const throughput = await measureThroughput(phaseContext, stack);
        await waitUntilQuiet(cloud.pid);
        const api = await measureApi(phaseContext, stack);
        figures[mode].push({
          eventsPerSec: throughput.eventsPerSec.median,
          apiP50Ms: api.ms.p50,
          apiP99Ms: api.ms.p99,
          deployMs: deployed.durationMs,
          lost: throughput.lostEvents,
        });
      } catch (error) {
        line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
        throw new Error(`--iam ${mode}: ${error instanceof Error ? error.message : error}`);
      } finally {
        await cloud?.stop();
      }
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
  };
}

function modeResult(rounds: RoundFigures[]): IamModeResult {
  return {
    eventsPerSec: summarize(rounds.map((r) => r.eventsPerSec)),
    apiP50Ms: summarize(rounds.map((r) => r.apiP50Ms)),
    apiP99Ms: summarize(rounds.map((r) => r.apiP99Ms)),
    deployMs: summarize(rounds.map((r) => r.deployMs)),
    lostEvents: rounds.reduce((sum, r) => sum + r.lost, 0),
  };
}
