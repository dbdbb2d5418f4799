/**
 * Mixed load: N clients, each a loop of S3 PutObject/GetObject, DynamoDB
 * PutItem/Query and Kinesis PutRecords (every tenth client also invokes a
 * small function: more would start one execution environment per client),
 * for S seconds. Per operation: errors, p50/p99. The cloud's memory and
 * descriptors are sampled every second from before the load to the end of an
 * idle settle period: the slope once warm, and how much of the growth is
 * given back once idle. (No garbage collection is forced: the cloud exposes
 * no hook for one, so the idle figure is what a user would see.)
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import yazl from 'yazl';
import { ADMIN_CREDENTIALS, BENCH_REGION } from '../../bench/clients.js';
import { sleep } from '../../bench/context.js';
import type { Progress } from '../../bench/progress.js';
import { waitUntilQuiet } from '../../bench/quiet.js';
import { percentiles } from '../../bench/stats.js';
import type { SoakCloud } from '../cloud.js';
import type { SoakOptions } from '../options.js';
import { ensureSoakRole } from '../role.js';
import { OperationRecorder, type OperationStats } from '../operation-stats.js';
import { cpuBetween, cpuSnapshot, type CpuBound } from '../cpu.js';
import { maxOf, ResourceSampler, sampleTree, slopePerMinute, type ResourceSample } from '../resources.js';

const NAME = 'soak-load';
/** What the load reads and writes, created by this phase; the wire-client load reuses them. */
export const LOAD_RESOURCES = { bucket: NAME, table: NAME, stream: NAME, fn: NAME } as const;
const WARMUP_SHARE = 0.25;
/** Each SDK call gets this long before it counts as an error: a frozen cloud must not hang the phase. */
const CALL_TIMEOUT_MS = 30_000;

export interface MixedLoadResult {
  clients: number;
  seconds: number;
  calls: number;
  errors: number;
  errorRate: number;
  p99Ms: number;
  operations: Record<string, OperationStats>;
  /** The cloud's process tree: the cloud and the function environments it runs. */
  memoryMb: { beforeLoad: number; peak: number; idle: number; idleVsBefore: number; slopePerMinWarm: number; slopePerMinIdle: number };
  /** The cloud's own process alone: what the services hold, without the environments. */
  cloudMemoryMb: { beforeLoad: number; peak: number; idle: number; idleVsBefore: number };
  /** Function environments running before the load, at most during it, and once idle. */
  environments: { beforeLoad: number; peak: number; idle: number };
  fds: { beforeLoad: number; peak: number; idle: number; slopePerMinWarm: number; peakKinds: Record<string, number> };
  /** Where the CPU went during the load, and the latency that implies (Linux). */
  cpu?: CpuBound;
  forcedGc: false;
  samples: ResourceSample[];
}

export async function runMixedLoad(cloud: SoakCloud, options: SoakOptions, progress: Progress): Promise<MixedLoadResult> {
  const line = progress.phase('mixed load');
  const config = {
    endpoint: cloud.url,
    region: BENCH_REGION,
    credentials: ADMIN_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: options.clients + 4 }, requestTimeout: CALL_TIMEOUT_MS }),
  };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ddb = new DynamoDBClient(config);
  const kinesis = new KinesisClient(config);
  const lambda = new LambdaClient(config);
  try {
    line.update('creating a bucket, a table, a stream and a function');
    await setUp(cloud.url, s3, ddb, kinesis, lambda);
    await waitUntilQuiet(cloud.pid);
    // The figure before the load is compared with the idle one, read once Lambda has reaped the
    // load's environments: so it is read with none running either (the fuzz leaves some behind).
    line.update('waiting for the function environments of earlier phases to be reaped');
    await untilNoEnvironments(cloud.pid, options.idleSettleSeconds * 1000);

    const sampler = new ResourceSampler(() => cloud.pid, 1000, cloud.stateDir).start();
    // A few samples of the cloud at rest: the figure the idle memory is compared with.
    await sleep(options.quick ? 2000 : 5000);
    const loadStart = sampler.now();
    const recorder = new OperationRecorder();
    const record = (operation: string, call: () => Promise<unknown>) => recorder.record(operation, call);
    const cpuAtStart = cpuSnapshot(cloud.pid);
    const deadline = performance.now() + options.loadSeconds * 1000;
    let calls = 0;
    const client = async (id: number) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const key = `c${id}-${i % 200}`;
        const body = `soak ${id} ${i} ${'x'.repeat(1024)}`;
        await record('S3 PutObject', () => s3.send(new PutObjectCommand({ Bucket: NAME, Key: key, Body: body })));
        await record('S3 GetObject', async () => (await s3.send(new GetObjectCommand({ Bucket: NAME, Key: key }))).Body?.transformToByteArray());
        await record('DynamoDB PutItem', () => ddb.send(new PutItemCommand({ TableName: NAME, Item: { pk: { S: `c${id}` }, sk: { S: String(i % 500).padStart(4, '0') }, v: { S: body.slice(0, 200) } } })));
        await record('DynamoDB Query', () => ddb.send(new QueryCommand({ TableName: NAME, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `c${id}` } }, Limit: 20 })));
        await record('Kinesis PutRecords', () => kinesis.send(new PutRecordsCommand({ StreamName: NAME, Records: Array.from({ length: 10 }, (_, k) => ({ PartitionKey: `c${id}-${k}`, Data: Buffer.from(body.slice(0, 100)) })) })));
        if (id % 10 === 0) await record('Lambda Invoke', () => lambda.send(new InvokeCommand({ FunctionName: NAME, Payload: Buffer.from(`{"i":${i}}`) })));
        calls += id % 10 === 0 ? 6 : 5;
        if (id === 0) line.update(`${calls.toLocaleString('en-US')} calls, ${((deadline - performance.now()) / 1000).toFixed(0)} s left`);
      }
    };
    await Promise.all(Array.from({ length: options.clients }, (_, id) => client(id)));
    const cpuAtEnd = cpuSnapshot(cloud.pid);
    const loadEnd = sampler.now();
    line.update(`idle: letting the cloud settle for ${options.idleSettleSeconds} s`);
    await sleep(options.idleSettleSeconds * 1000);
    const samples = sampler.stop();
    await cloud.ensureAlive('after the mixed load');

    const before = samples.filter((s) => s.t < loadStart);
    const warm = samples.filter((s) => s.t >= loadStart + (loadEnd - loadStart) * WARMUP_SHARE && s.t <= loadEnd);
    const idleSamples = samples.filter((s) => s.t > loadEnd);
    const idleTail = idleSamples.slice(-3);
    const { operations, calls: total, errors, latencies: all } = recorder.summary();
    const median = (xs: ResourceSample[], f: (s: ResourceSample) => number) => percentiles(xs.map(f)).p50;
    const beforeMb = median(before, (s) => s.rssMb);
    const idleMb = median(idleTail, (s) => s.rssMb);
    const result: MixedLoadResult = {
      clients: options.clients,
      seconds: options.loadSeconds,
      calls: total,
      errors,
      errorRate: total ? errors / total : Number.NaN,
      p99Ms: percentiles(all).p99,
      operations,
      memoryMb: {
        beforeLoad: beforeMb,
        peak: maxOf(samples, (s) => s.rssMb),
        idle: idleMb,
        idleVsBefore: idleMb / beforeMb,
        slopePerMinWarm: slopePerMinute(warm, (s) => s.rssMb),
        slopePerMinIdle: slopePerMinute(idleSamples, (s) => s.rssMb),
      },
      cloudMemoryMb: {
        beforeLoad: median(before, (s) => s.cloudRssMb),
        peak: maxOf(samples, (s) => s.cloudRssMb),
        idle: median(idleTail, (s) => s.cloudRssMb),
        idleVsBefore: median(idleTail, (s) => s.cloudRssMb) / median(before, (s) => s.cloudRssMb),
      },
      environments: {
        beforeLoad: median(before, (s) => s.processes - 1),
        peak: maxOf(samples, (s) => s.processes - 1),
        idle: median(idleTail, (s) => s.processes - 1),
      },
      fds: { beforeLoad: median(before, (s) => s.fds), peak: maxOf(samples, (s) => s.fds), idle: median(idleTail, (s) => s.fds), slopePerMinWarm: slopePerMinute(warm, (s) => s.fds), peakKinds: sampler.peakFdKinds },
      cpu: cpuBetween(cpuAtStart, cpuAtEnd, total, options.clients),
      forcedGc: false,
      samples,
    };
    const cloudMb = result.cloudMemoryMb;
    const summary =
      `${total.toLocaleString('en-US')} calls, ${errors} errors, p99 ${result.p99Ms.toFixed(0)} ms; memory ${beforeMb.toFixed(0)} → peak ${result.memoryMb.peak.toFixed(0)} → idle ${idleMb.toFixed(0)} MB ` +
      `(cloud alone ${cloudMb.beforeLoad.toFixed(0)} → ${cloudMb.peak.toFixed(0)} → ${cloudMb.idle.toFixed(0)}, environments ${result.environments.peak} → ${result.environments.idle}); fds peak ${result.fds.peak}`;
    if (errors) line.fail(summary);
    else line.done(summary);
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  } finally {
    for (const c of [s3, ddb, kinesis, lambda]) c.destroy();
  }
}

/** Waits (at most `limitMs`) until the cloud runs no child process: no function environment. */
async function untilNoEnvironments(cloudPid: number, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (sampleTree(cloudPid).processes > 1 && performance.now() < deadline) await sleep(1000);
}

async function setUp(url: string, s3: S3Client, ddb: DynamoDBClient, kinesis: KinesisClient, lambda: LambdaClient): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: NAME }));
  await ddb.send(
    new CreateTableCommand({
      TableName: NAME,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await kinesis.send(new CreateStreamCommand({ StreamName: NAME, ShardCount: 1 }));
  const role = await ensureSoakRole(url);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: NAME,
      Runtime: 'nodejs22.x',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: await zipOne('index.js', 'exports.handler = async (event) => ({ echo: event });\n') },
    }),
  );
  for (let i = 0; i < 100; i++) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: NAME }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(50);
  }
  throw new Error(`the stream ${NAME} did not become ACTIVE`);
}

export function zipOne(name: string, code: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(code), name, { mtime: new Date(Date.UTC(2024, 0, 1)) });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
