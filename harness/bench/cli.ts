#!/usr/bin/env node
/**
 * `make bench`: measures the embedded local cloud with the project's stack
 * deployed, one live line per phase, then prints a table against the goals
 * and writes the JSON report. `--quick` (make test) runs every phase on a
 * small scale and fails when the report is incomplete or an event was lost —
 * never because something was slow.
 */
import os from 'node:os';
import { displayPath } from '../support/paths.js';
import { spawnCloud, type CloudProcess } from './cloud-process.js';
import type { DeployedStack, PhaseContext } from './context.js';
import { USAGE, parseBenchArgs, type BenchOptions } from './options.js';
import { measureApi } from './phases/api.js';
import { measureColdStart } from './phases/cold-start.js';
import { measureDeploy } from './phases/deploy.js';
import { measureDynamoFloor } from './phases/dynamo-floor.js';
import { measureKinesisLocal, measureKinesisPut } from './phases/kinesis-put.js';
import { measureLatency } from './phases/latency.js';
import { measureLoopback } from './phases/loopback.js';
import { measurePutMetricData } from './phases/metrics-call.js';
import { measureHotReload } from './phases/hot-reload.js';
import { measureIamCost } from './phases/iam.js';
import { measureIdleMemory } from './phases/memory.js';
import { measureThroughput } from './phases/throughput.js';
import { Progress } from './progress.js';
import { waitUntilQuiet } from './quiet.js';
import { buildReport, reportProblems, type PhaseError, type PhaseResults } from './report.js';
import { writeReport } from './results.js';
import { renderBreakdown, renderTable } from './table.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function settled<T extends DeployedStack | CloudProcess>(target: T): Promise<T> {
  await waitUntilQuiet('cloud' in target ? target.cloud.pid : target.pid);
  return target;
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const progress = new Progress();
  const context: PhaseContext = { options, progress };
  const results: PhaseResults = {};
  const errors: PhaseError[] = [];
  const started = performance.now();
  const loadAtStart = os.loadavg();
  process.stderr.write(
    `${progress.paint('bold', `Benchmark${options.quick ? ' (quick)' : ''}`)}: embedded local cloud, ${options.events.toLocaleString('en-US')} events × ${options.throughputRuns}, ` +
      `${options.latencyRate}/s for ${options.latencySeconds} s\n`,
  );

  // Each phase runs on its own: a failure is recorded and the bench goes on with what does not depend on it.
  const run = async <T>(phase: string, measure: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await measure();
    } catch (error) {
      errors.push({ phase, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  // Every phase on the deployed cloud starts once the one before has stopped echoing in it.
  const needsStack = async <T>(phase: string, stack: DeployedStack | undefined, measure: (s: DeployedStack) => Promise<T>) => {
    if (stack) return run(phase, async () => measure(await settled(stack)));
    const message = 'skipped: the stack could not be deployed';
    progress.phase(phase).fail(message);
    errors.push({ phase, message });
    return undefined;
  };

  let stack: DeployedStack | undefined;
  let spare: CloudProcess | undefined;
  const interrupted = () => {
    void Promise.allSettled([stack?.cloud.stop(), spare?.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    results.loopback = await run('loopback', () => measureLoopback(context));
    results.coldStart = await run('cold start', () => measureColdStart(context));
    const deployed = await run('deploy', () => measureDeploy(context));
    if (deployed) {
      const { stack: kept, ...deploy } = deployed;
      stack = kept;
      results.deploy = deploy;
    }
    results.idleMemory = await needsStack('idle memory', stack, (s) => measureIdleMemory(context, s));
    // The references get a cloud of their own (the same engines, fresh): their load
    // stays out of the deployed cloud's memory and tables.
    const reference = await run('reference cloud', () => spawnCloud());
    spare = reference;
    if (reference) {
      results.dynamoFloor = await run('DynamoDB floor', async () => measureDynamoFloor(context, await settled(reference)));
      results.kinesisPut = await run('Kinesis PutRecords', async () => measureKinesisPut(context, await settled(reference)));
      results.putMetricData = await run('PutMetricData', async () => measurePutMetricData(context, await settled(reference)));
      await reference.stop();
      spare = undefined;
    }
    results.throughput = await needsStack('pipeline throughput', stack, (s) => measureThroughput(context, s));
    results.latency = await needsStack('end-to-end latency', stack, (s) => measureLatency(context, s));
    results.api = await needsStack('API warm invoke', stack, (s) => measureApi(context, s));
    // Last on the stack: it replaces the API function's code.
    results.hotReload = await needsStack('hot reload', stack, (s) => measureHotReload(context, s));
  } finally {
    await Promise.all([stack?.cloud.stop(), spare?.stop()]);
  }
  // IAM enforced against IAM off: two more fresh clouds, one at a time, once the main one has stopped.
  results.iam = await run('IAM cost', () => measureIamCost(context));
  results.kinesisLocal = await run('kinesis-local', () => measureKinesisLocal(context));

  const report = buildReport(results, options, errors, new Date(), loadAtStart);
  const files = writeReport(report, options.resultsDir);
  console.log(`\n${renderTable(report, progress.paint)}\n`);
  const breakdown = renderBreakdown(report, progress.paint);
  if (breakdown) console.log(`${breakdown}\n`);
  console.log(`Report: ${displayPath(files.latest)} (and ${displayPath(files.dated)}) — ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const problems = reportProblems(report);
  if (problems.length > 0) {
    console.error(`\n${progress.paint('red', 'The report is incomplete:')}`);
    for (const problem of problems) console.error(`  - ${problem}`);
    for (const { phase, message } of errors) {
      const detail = message.split('\n').slice(1).join('\n').trim();
      if (detail) console.error(`\n${phase}:\n${detail}`);
    }
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    process.exit(1);
  },
);
