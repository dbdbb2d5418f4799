/**
 * The mixed load again, without the SDK: the same operations on the same
 * bucket, table, stream and function, each request built and SigV4-signed
 * once per key and then sent as bytes over kept-alive connections. The AWS
 * SDK costs its client about as much CPU per call as the cloud spends
 * answering it, and on a machine of two cores the SDK's load generator and
 * the cloud share the CPU; a client this light leaves the cores to the
 * cloud, so its latencies are the cloud's own. Run after the SDK load (which
 * creates the resources), with the same number of clients.
 */
import http from 'node:http';
import { percentiles } from '../../bench/stats.js';
import type { Progress } from '../../bench/progress.js';
import type { SoakCloud } from '../cloud.js';
import { signAs } from '../fuzz/case.js';
import { signCall } from '../sign.js';
import type { HttpCall } from '../wire.js';
import { cpuBetween, cpuSnapshot, type CpuBound } from '../cpu.js';
import { OperationRecorder, type OperationStats } from '../operation-stats.js';

const CALL_TIMEOUT_MS = 30_000;
/** A signature is good for 15 minutes; signed requests older than this are signed again. */
const RESIGN_AFTER_MS = 5 * 60_000;
/** Keys each client cycles through: its requests are signed once per key. */
const KEYS_PER_CLIENT = 20;

export interface WireLoadResult {
  clients: number;
  seconds: number;
  calls: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  operations: Record<string, OperationStats>;
  cpu?: CpuBound;
}

export async function runWireLoad(cloud: SoakCloud, names: { bucket: string; table: string; stream: string; fn: string }, clients: number, seconds: number, progress: Progress): Promise<WireLoadResult> {
  const line = progress.phase('mixed load, wire clients');
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients + 4 });
  const url = new URL(cloud.url);
  const signed = new Map<string, { call: HttpCall; at: number }>();
  const request = async (key: string, service: string, build: () => HttpCall): Promise<HttpCall> => {
    const cached = signed.get(key);
    if (cached && performance.now() - cached.at < RESIGN_AFTER_MS) return cached.call;
    const call = await signCall(cloud.url, build(), signAs(service));
    signed.set(key, { call, at: performance.now() });
    return call;
  };
  const send = (call: HttpCall) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method: call.method, path: call.path, headers: call.headers, agent, timeout: CALL_TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(call.body);
    });

  // A refusal is an error of its status; a failed exchange, of its message.
  const recorder = new OperationRecorder((error) => (error instanceof Error ? error.message.slice(0, 120) : String(error)));
  const record = (operation: string, call: HttpCall) =>
    recorder.record(operation, async () => {
      const status = await send(call);
      if (status < 200 || status >= 300) throw new Error(`HTTP ${status}`);
    });

  try {
    const json = (target: string, version: string, body: unknown) => ({
      method: 'POST', path: '/', headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target }, body: JSON.stringify(body),
    });
    const start = cpuSnapshot(cloud.pid);
    const deadline = performance.now() + seconds * 1000;
    let calls = 0;
    const client = async (id: number) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const k = i % KEYS_PER_CLIENT;
        const key = `w${id}-${k}`;
        const body = `soak ${id} ${k} ${'x'.repeat(1024)}`;
        await record('S3 PutObject', await request(`put ${key}`, 's3', () => ({ method: 'PUT', path: `/${names.bucket}/${key}`, headers: { 'content-type': 'text/plain' }, body })));
        await record('S3 GetObject', await request(`get ${key}`, 's3', () => ({ method: 'GET', path: `/${names.bucket}/${key}`, headers: {} })));
        await record('DynamoDB PutItem', await request(`item ${key}`, 'dynamodb', () => json('DynamoDB_20120810.PutItem', '1.0', { TableName: names.table, Item: { pk: { S: `w${id}` }, sk: { S: String(k).padStart(4, '0') }, v: { S: body.slice(0, 200) } } })));
        await record('DynamoDB Query', await request(`query w${id}`, 'dynamodb', () => json('DynamoDB_20120810.Query', '1.0', { TableName: names.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `w${id}` } }, Limit: 20 })));
        await record('Kinesis PutRecords', await request(`records ${key}`, 'kinesis', () => json('Kinesis_20131202.PutRecords', '1.1', { StreamName: names.stream, Records: Array.from({ length: 10 }, (_, r) => ({ PartitionKey: `w${id}-${r}`, Data: Buffer.from(body.slice(0, 100)).toString('base64') })) })));
        if (id % 10 === 0) {
          await record('Lambda Invoke', await request(`invoke ${key}`, 'lambda', () => ({ method: 'POST', path: `/2015-03-31/functions/${names.fn}/invocations`, headers: { 'content-type': 'application/json' }, body: `{"i":${k}}` })));
        }
        calls += id % 10 === 0 ? 6 : 5;
        if (id === 0) line.update(`${calls.toLocaleString('en-US')} calls, ${((deadline - performance.now()) / 1000).toFixed(0)} s left`);
      }
    };
    await Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
    const end = cpuSnapshot(cloud.pid);

    const { operations, calls: total, errors, latencies } = recorder.summary();
    const overall = percentiles(latencies);
    const result: WireLoadResult = { clients, seconds, calls: total, errors, p50Ms: overall.p50, p99Ms: overall.p99, operations, cpu: cpuBetween(start, end, total, clients) };
    const summary = `${total.toLocaleString('en-US')} calls (${Math.round(total / seconds).toLocaleString('en-US')}/s), ${errors} errors, p50 ${overall.p50.toFixed(1)} ms, p99 ${overall.p99.toFixed(0)} ms` +
      (result.cpu ? `; cloud ${result.cpu.msPerCall.cloud} ms CPU per call` : '');
    if (errors) line.fail(summary);
    else line.done(summary);
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  } finally {
    agent.destroy();
  }
}
