/**
 * Long run: on the deployed stack, what a `make up` left open does for hours
 * — the query API invoked (the test page calls it every 2 s) and its table
 * queried directly — one call after another in two loops for M minutes.
 * Memory and descriptors are sampled every second; the slope after a warm-up
 * share says whether anything grows without bound (a leak shows as a slope
 * that stays up, however long the run).
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { BENCH_REGION, ADMIN_CREDENTIALS } from '../../bench/clients.js';
import { testClientCredentials, type StackOutputs } from '../../bench/context.js';
import type { Progress } from '../../bench/progress.js';
import type { SoakCloud } from '../cloud.js';
import type { SoakOptions } from '../options.js';
import { maxOf, ResourceSampler, slopePerMinute, type ResourceSample } from '../resources.js';

const WARMUP_SHARE = 0.2;
const CALL_TIMEOUT_MS = 30_000;

export interface LongRunResult {
  seconds: number;
  invokes: number;
  queries: number;
  errors: number;
  firstError?: string;
  /** The cloud's process tree (the cloud and its function environments). */
  memoryMb: { start: number; end: number; peak: number; slopePerMin: number };
  /** The cloud's own process alone. */
  cloudMemoryMb: { start: number; end: number; peak: number; slopePerMin: number };
  fds: { start: number; end: number; peak: number; slopePerMin: number; peakKinds: Record<string, number> };
  samples: ResourceSample[];
}

export async function runLongRun(cloud: SoakCloud, outputs: StackOutputs, options: SoakOptions, progress: Progress): Promise<LongRunResult> {
  const line = progress.phase('long run');
  const handler = () => new NodeHttpHandler({ requestTimeout: CALL_TIMEOUT_MS });
  const lambda = new LambdaClient({ endpoint: cloud.url, region: BENCH_REGION, credentials: testClientCredentials(outputs), maxAttempts: 1, requestHandler: handler() });
  const ddb = new DynamoDBClient({ endpoint: cloud.url, region: BENCH_REGION, credentials: ADMIN_CREDENTIALS, maxAttempts: 1, requestHandler: handler() });
  const sampler = new ResourceSampler(() => cloud.pid, 1000, cloud.stateDir).start();
  const deadline = performance.now() + options.longRunSeconds * 1000;
  let invokes = 0;
  let queries = 0;
  let errors = 0;
  let firstError: string | undefined;
  const failed = (error: unknown) => {
    errors += 1;
    firstError ??= error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : String(error);
  };
  const payload = Buffer.from(JSON.stringify({ operation: 'query', sensorid: 'soak-sensor-0001' }));
  try {
    await Promise.all([
      (async () => {
        while (performance.now() < deadline) {
          try {
            const output = await lambda.send(new InvokeCommand({ FunctionName: outputs.LambdaAPIFunction, Payload: payload }));
            if (output.FunctionError) throw new Error(`the API function failed: ${Buffer.from(output.Payload ?? []).toString('utf8').slice(0, 150)}`);
            invokes += 1;
          } catch (error) {
            failed(error);
          }
        }
      })(),
      (async () => {
        while (performance.now() < deadline) {
          try {
            await ddb.send(new QueryCommand({ TableName: outputs.SensorDataTable, KeyConditionExpression: 'SensorId = :s', ExpressionAttributeValues: { ':s': { S: 'soak-sensor-0001' } }, Limit: 20 }));
            queries += 1;
          } catch (error) {
            failed(error);
          }
          if (queries % 200 === 0) line.update(`${invokes} invokes, ${queries} queries, ${((deadline - performance.now()) / 1000).toFixed(0)} s left`);
        }
      })(),
    ]);
  } finally {
    lambda.destroy();
    ddb.destroy();
  }
  const samples = sampler.stop();
  const warm = samples.filter((s) => s.t >= options.longRunSeconds * WARMUP_SHARE);
  const result: LongRunResult = {
    seconds: options.longRunSeconds,
    invokes,
    queries,
    errors,
    firstError,
    memoryMb: { start: samples[0]?.rssMb ?? Number.NaN, end: samples.at(-1)?.rssMb ?? Number.NaN, peak: maxOf(samples, (s) => s.rssMb), slopePerMin: slopePerMinute(warm, (s) => s.rssMb) },
    cloudMemoryMb: { start: samples[0]?.cloudRssMb ?? Number.NaN, end: samples.at(-1)?.cloudRssMb ?? Number.NaN, peak: maxOf(samples, (s) => s.cloudRssMb), slopePerMin: slopePerMinute(warm, (s) => s.cloudRssMb) },
    fds: { start: samples[0]?.fds ?? Number.NaN, end: samples.at(-1)?.fds ?? Number.NaN, peak: maxOf(samples, (s) => s.fds), slopePerMin: slopePerMinute(warm, (s) => s.fds), peakKinds: sampler.peakFdKinds },
    samples,
  };
  const summary = `${invokes} invokes, ${queries} queries, ${errors} errors; memory ${result.memoryMb.start.toFixed(0)} → ${result.memoryMb.end.toFixed(0)} MB, ${result.memoryMb.slopePerMin.toFixed(1)} MB/min once warm (cloud alone ${result.cloudMemoryMb.slopePerMin.toFixed(1)})`;
  if (errors) line.fail(summary);
  else line.done(summary);
  return result;
}
