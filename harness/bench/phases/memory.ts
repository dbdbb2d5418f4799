/**
 * Idle memory: the resident memory of the deployed cloud and all its function
 * processes once the deploy has settled — the median of a few samples, so a
 * garbage collection in the middle does not decide the figure.
 */
import { processTreeBreakdown, processTreeMemory, type ProcessMemory } from '../process-memory.js';
import { sleep, type DeployedStack, type PhaseContext } from '../context.js';
import { shortName } from '../names.js';
import { summarize, type Summary } from '../stats.js';

const SETTLE_MS = 1000;
const SAMPLES = 5;
const SAMPLE_EVERY_MS = 200;

export interface IdleMemory {
  rssMb: Summary;
  /** Processes in the tree: the cloud and its execution environments. */
  processes: number;
  /** Who holds it, at the last sample. */
  breakdown: ProcessMemory[];
}

export async function measureIdleMemory({ progress }: PhaseContext, stack: DeployedStack): Promise<IdleMemory> {
  const line = progress.phase('idle memory');
  line.update('letting the deploy settle');
  await sleep(SETTLE_MS);
  const samples: number[] = [];
  let processes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const tree = processTreeMemory(stack.cloud.pid);
    samples.push(tree.rssMb);
    processes = tree.processes;
    line.update(`${tree.rssMb.toFixed(0)} MB in ${tree.processes} processes`);
    await sleep(SAMPLE_EVERY_MS);
  }
  const rssMb = summarize(samples);
  const breakdown = processTreeBreakdown(stack.cloud.pid);
  const parts = breakdown.map((p) => `${shortName(p.label)} ${p.rssMb.toFixed(0)} MB`).join(', ');
  line.done(`${rssMb.median.toFixed(0)} MB resident in ${processes} process${processes === 1 ? '' : 'es'}${parts ? ` (${parts})` : ''}`);
  return { rssMb, processes, breakdown };
}
