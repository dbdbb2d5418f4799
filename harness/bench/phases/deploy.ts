/**
 * Deploy: the project's stack on a fresh cloud, to CREATE_COMPLETE — nested
 * stack and custom resources included — through the harness's own
 * deployStack(), as `make deploy` runs it: code bucket, uploads, change set,
 * execute, follow. Each run gets a new cloud process; the last one is kept,
 * deployed, for the phases that follow. The zips are built once beforehand
 * and the build is not part of the figure.
 */
import { buildFunctions } from '../../build/build.js';
import { deployStack } from '../../deploy/deploy.js';
import { collectingReporter } from '../../support/terminal.js';
import type { Connection } from '../../targets/types.js';
import { spawnCloud, type CloudProcess } from '../cloud-process.js';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ADMIN_CREDENTIALS, BENCH_REGION, clientConfig } from '../clients.js';
import { stackTimeline, type StackTimeline } from '../stack-timeline.js';
import { REQUIRED_OUTPUTS, type DeployedStack, type PhaseContext, type StackOutputs } from '../context.js';
import { summarize, type Summary } from '../stats.js';

export const STACK_NAME = 'iot-backend';
const CODE_KEY_PREFIX = 'iot-backend';
/**
 * How often the deploy polls the change set and the stack. `make deploy`
 * polls a local cloud every 250 ms, which would put up to two 250 ms steps
 * into the figure; the bench polls often enough to measure the cloud instead.
 */
const POLL_INTERVAL_MS = 10;

export interface DeployPhaseResult {
  deployMs: Summary;
  /** The last deploy's engine time and slowest resources, from the stack's events. */
  timeline?: StackTimeline;
  /** Building the three zips, once, before the deploys. */
  buildMs: number;
  stack: DeployedStack;
}

export async function measureDeploy({ options, progress }: PhaseContext): Promise<DeployPhaseResult> {
  const line = progress.phase('deploy');
  let cloud: CloudProcess | undefined;
  try {
    line.update('building the functions');
    const buildStarted = performance.now();
    await buildFunctions();
    const buildMs = performance.now() - buildStarted;

    const samples: number[] = [];
    let outputs: StackOutputs | undefined;
    for (let run = 1; run <= options.deployRuns; run++) {
      line.update(`run ${run}/${options.deployRuns}: starting a fresh cloud`);
      await cloud?.stop();
      cloud = await spawnCloud();
      line.update(`run ${run}/${options.deployRuns}: deploying`);
      const { durationMs, outputs: raw } = await deployOnce(cloud);
      samples.push(durationMs);
      outputs = stackOutputs(raw);
    }
    const deployMs = summarize(samples);
    line.update('reading the stack events');
    const timeline = await readTimeline(cloud!).catch(() => undefined);
    line.done(`${deployMs.median.toFixed(0)} ms to CREATE_COMPLETE (${deployMs.min.toFixed(0)}–${deployMs.max.toFixed(0)}, ${samples.length} runs)`);
    return { deployMs, buildMs, timeline, stack: { cloud: cloud!, outputs: outputs! } };
  } catch (error) {
    await cloud?.stop();
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  }
}

/** One deploy of the project's stack on `cloud`, timed; throws with the deploy's and the cloud's last lines. */
export async function deployOnce(cloud: Pick<CloudProcess, 'url' | 'output'>): Promise<{ durationMs: number; outputs: Record<string, string> }> {
  const reporter = collectingReporter();
  const connection: Connection = {
    target: 'embedded',
    endpoint: cloud.url,
    region: BENCH_REGION,
    credentials: ADMIN_CREDENTIALS,
    local: true,
    description: `local cloud on ${cloud.url}`,
    owned: false,
    stop: async () => {},
  };
  const started = performance.now();
  try {
    const result = await deployStack({
      connection,
      stackName: STACK_NAME,
      codeKeyPrefix: CODE_KEY_PREFIX,
      reporter,
      pollIntervalMs: POLL_INTERVAL_MS,
      timeoutMs: 120_000,
    });
    if (result.status !== 'CREATE_COMPLETE') throw new Error(`the stack ended ${result.status}`);
    return { durationMs: performance.now() - started, outputs: result.outputs };
  } catch (error) {
    const detail = [...reporter.lines.slice(-15), cloud.output().trim().split('\n').slice(-15).join('\n')].join('\n');
    throw new Error(`deploy failed: ${error instanceof Error ? error.message : error}\n${detail}`);
  }
}

async function readTimeline(cloud: CloudProcess): Promise<StackTimeline> {
  const cfn = new CloudFormationClient(clientConfig(cloud.url));
  try {
    return await stackTimeline(cfn, STACK_NAME);
  } finally {
    cfn.destroy();
  }
}

export function stackOutputs(raw: Record<string, string>): StackOutputs {
  const missing = REQUIRED_OUTPUTS.filter((key) => !raw[key]);
  if (missing.length > 0) throw new Error(`the stack has no output ${missing.join(', ')}`);
  return raw as unknown as StackOutputs;
}
