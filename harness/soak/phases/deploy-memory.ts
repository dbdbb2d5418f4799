/**
 * Deploy memory: the project's stack deployed on a fresh cloud through the
 * harness's own deployStack() (what `make deploy` runs), then the resident
 * memory of the cloud and every process it started, once the deploy has
 * settled: the median of a few samples, and who holds it. The deployed cloud
 * is kept for the long run.
 */
import { buildFunctions } from '../../build/build.js';
import { REQUIRED_OUTPUTS, sleep, type StackOutputs } from '../../bench/context.js';
import { deployOnce } from '../../bench/phases/deploy.js';
import { processTreeBreakdown, processTreeMemory, type ProcessMemory } from '../../bench/process-memory.js';
import type { Progress } from '../../bench/progress.js';
import { shortName } from '../../bench/names.js';
import { percentiles } from '../../bench/stats.js';
import { SoakCloud } from '../cloud.js';

const SETTLE_MS = 1000;
const SAMPLES = 5;

export interface DeployMemoryResult {
  rssMb: number;
  processes: number;
  byProcess: ProcessMemory[];
}

export async function runDeployMemory(progress: Progress): Promise<{ result: DeployMemoryResult; cloud: SoakCloud; outputs: StackOutputs }> {
  const line = progress.phase('deploy memory');
  let cloud: SoakCloud | undefined;
  try {
    line.update('building the functions');
    await buildFunctions();
    cloud = await SoakCloud.start();
    line.update('deploying the stack');
    const outputs = await deploy(cloud);
    await sleep(SETTLE_MS);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(processTreeMemory(cloud.pid).rssMb);
      await sleep(200);
    }
    const byProcess = processTreeBreakdown(cloud.pid);
    const result = { rssMb: percentiles(samples).p50, processes: byProcess.length || processTreeMemory(cloud.pid).processes, byProcess };
    line.done(`${result.rssMb.toFixed(0)} MB in ${result.processes} processes (${byProcess.map((p) => `${shortName(p.label)} ${p.rssMb.toFixed(0)} MB`).join(', ')})`);
    return { result, cloud, outputs };
  } catch (error) {
    await cloud?.stop();
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  }
}

/** The project's stack, deployed as the bench deploys it; its outputs checked for what the long run needs. */
async function deploy(cloud: SoakCloud): Promise<StackOutputs> {
  const { outputs } = await deployOnce(cloud);
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (missing.length) throw new Error(`the stack has no output ${missing.join(', ')}`);
  return outputs as unknown as StackOutputs;
}
