/**
 * API latency: the query function invoked with the TestClient keys (as the
 * test page does), warm — a few unmeasured invokes first start its execution
 * environment — then one invoke after another, each timed from send to answer.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { invocationStats, type InvocationStats } from '../lambda-reports.js';
import { waitUntilQuiet } from '../quiet.js';
import { clientConfig } from '../clients.js';
import { testClientCredentials, type DeployedStack, type PhaseContext } from '../context.js';
import { sensorId } from '../sensor-events.js';
import { percentiles, type Percentiles } from '../stats.js';

const WARMUP_INVOKES = 10;

export interface ApiResult {
  ms: Percentiles;
  /** Items in the answer: the query read real data. */
  itemsReturned: number;
  /** The handler's own time per invoke (its REPORT lines): the rest of `ms` is the invoke path. */
  handler?: InvocationStats;
}

export async function measureApi({ options, progress }: PhaseContext, stack: DeployedStack): Promise<ApiResult> {
  const line = progress.phase('API warm invoke');
  const lambda = new LambdaClient(clientConfig(stack.cloud.url, testClientCredentials(stack.outputs)));
  // A sensor the throughput phase filled: the query returns its 20 newest items.
  const payload = Buffer.from(JSON.stringify({ operation: 'query', sensorid: sensorId('tp1', 0) }));
  const samples: number[] = [];
  let itemsReturned = 0;
  let handler: InvocationStats | undefined;
  const logs = new CloudWatchLogsClient(clientConfig(stack.cloud.url));
  try {
    const startedAt = Date.now();
    for (let i = 0; i < WARMUP_INVOKES + options.apiInvokes; i++) {
      const started = performance.now();
      const output = await lambda.send(new InvokeCommand({ FunctionName: stack.outputs.LambdaAPIFunction, Payload: payload }));
      const elapsed = performance.now() - started;
      if (output.FunctionError) {
        throw new Error(`the query function failed (${output.FunctionError}): ${Buffer.from(output.Payload ?? []).toString('utf8')}`);
      }
      if (i >= WARMUP_INVOKES) samples.push(elapsed);
      else if (i === 0) itemsReturned = (JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8')) as { Items?: unknown[] }).Items?.length ?? 0;
      if (i % 10 === 0) line.update(`${i}/${WARMUP_INVOKES + options.apiInvokes}`);
    }
    line.update("reading the function's REPORT lines");
    await waitUntilQuiet(stack.cloud.pid);
    handler = await invocationStats(logs, { functionName: stack.outputs.LambdaAPIFunction, batchSize: 1 }, startedAt, Date.now());
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    lambda.destroy();
    logs.destroy();
  }
  const ms = percentiles(samples);
  const inHandler = handler ? `, handler p50 ${handler.durationMs.p50.toFixed(1)} ms` : '';
  line.done(`p50 ${ms.p50.toFixed(1)} ms, p99 ${ms.p99.toFixed(1)} ms over ${samples.length} invokes (${itemsReturned} items per answer${inHandler})`);
  return { ms, itemsReturned, handler };
}
