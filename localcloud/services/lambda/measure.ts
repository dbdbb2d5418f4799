/**
 * Measures the Lambda emulation on this machine and prints the figures:
 *
 *   npx tsx localcloud/services/lambda/measure.ts [--invokes 200] [--cold 10] [--records 100]
 *
 * - cold start: Init Duration of a fresh environment (process spawn to the
 *   runtime's first `GET /next`), and the first Invoke as the client sees it;
 * - warm invoke: client-observed latency of sequential Invokes (SDK, HTTP);
 * - event source mapping: PutRecord sent → handler running, per record.
 *
 * A report, not a test: nothing here asserts a duration (machines are shared and noisy).
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import yazl from 'yazl';
import { startLocalCloud } from '../../localcloud.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROLE = 'arn:aws:iam::000000000000:role/measure';

const { values } = parseArgs({
  options: { invokes: { type: 'string', default: '200' }, cold: { type: 'string', default: '10' }, records: { type: 'string', default: '100' } },
});

function zip(files: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) z.addBuffer(Buffer.from(content), name);
  z.end();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1);
  return `n=${sorted.length} p50=${f(percentile(sorted, 50))} ms  p90=${f(percentile(sorted, 90))} ms  p99=${f(percentile(sorted, 99))} ms  max=${f(sorted[sorted.length - 1])} ms`;
}

const cloud = await startLocalCloud({ port: 0, log: () => {} });
const config = { endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const lambda = new LambdaClient(config);
const kinesis = new KinesisClient(config);
const out = mkdtempSync(path.join(os.tmpdir(), 'lambda-measure-'));

try {
  const echo = await zip({ 'index.js': 'exports.handler = async (event) => event;' });

  // Cold starts: each function's first invocation starts a fresh environment.
  const initDurations: number[] = [];
  const firstInvokes: number[] = [];
  for (let i = 0; i < Number(values.cold); i++) {
    const name = `cold-${i}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: echo } }));
    const started = performance.now();
    const result = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}'), LogType: 'Tail' }));
    firstInvokes.push(performance.now() - started);
    const init = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(result.LogResult!, 'base64').toString());
    if (init) initDurations.push(Number(init[1]));
  }

  // Warm invokes: one function, sequential calls.
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'warm', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: echo } }));
  await lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: Buffer.from('{}') }));
  for (let i = 0; i < 20; i++) await lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: Buffer.from('{}') }));
  const warm: number[] = [];
  for (let i = 0; i < Number(values.invokes); i++) {
    const started = performance.now();
    await lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: Buffer.from(JSON.stringify({ i })) }));
    warm.push(performance.now() - started);
  }

  // Event source mapping: each record carries the time its PutRecord returned.
  const file = path.join(out, 'arrivals.jsonl');
  const consumer = await zip({
    'index.js': `const fs = require('fs');
exports.handler = async (event) => {
  const now = Date.now();
  for (const r of event.Records) {
    const body = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString());
    fs.appendFileSync(${JSON.stringify(file)}, JSON.stringify({ i: body.i, latency: now - body.sentAt }) + '\\n');
  }
};`,
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: 'measure', ShardCount: 1 }));
  let streamArn: string | undefined;
  while (!streamArn) {
    const { StreamDescriptionSummary: s } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'measure' }));
    if (s?.StreamStatus === 'ACTIVE') streamArn = s.StreamARN;
  }
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'consumer', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: consumer } }));
  const mapping = await lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: streamArn, StartingPosition: 'LATEST', BatchSize: 1 }),
  );
  while ((await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State !== 'Enabled') await new Promise((r) => setTimeout(r, 20));
  const records = Number(values.records);
  for (let i = 0; i < records; i++) {
    // `sentAt` is taken just before sending, so the figure includes PutRecord's own round trip.
    await kinesis.send(new PutRecordCommand({ StreamName: 'measure', PartitionKey: 'k', Data: Buffer.from(JSON.stringify({ i, sentAt: Date.now() })) }));
    await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = Date.now() + 30_000;
  let arrivals: { latency: number }[] = [];
  while (Date.now() < deadline) {
    try {
      arrivals = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    } catch {
      arrivals = [];
    }
    if (arrivals.length >= records) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  console.log(`Lambda emulation on Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown CPU'})`);
  console.log(`cold start, Init Duration (spawn → first GET /next): ${summary(initDurations)}`);
  console.log(`cold start, first Invoke as the client sees it:      ${summary(firstInvokes)}`);
  console.log(`warm Invoke (SDK over HTTP, sequential):             ${summary(warm)}`);
  console.log(`Kinesis put sent → handler running (BatchSize 1):    ${summary(arrivals.map((a) => a.latency))}`);
} finally {
  lambda.destroy();
  kinesis.destroy();
  await cloud.stop();
  rmSync(out, { recursive: true, force: true });
}
