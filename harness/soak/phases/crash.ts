/**
 * Crash: a cloud with a state folder runs a small Kinesis → Lambda → DynamoDB
 * pipeline — a one-shard stream, and a function mapped to it that counts
 * each delivery of each record in a table (`ADD deliveries 1` on the record's
 * id). A producer puts records at a steady rate while the cloud is killed
 * with SIGKILL several times and started again on the same state. At the end,
 * every record whose PutRecords was acknowledged must be in the table
 * (lost = acknowledged but absent); a count above 1 is a duplicate delivery,
 * which at-least-once delivery allows, and which is reported.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_CREDENTIALS, BENCH_REGION } from '../../bench/clients.js';
import { sleep } from '../../bench/context.js';
import type { Progress } from '../../bench/progress.js';
import { SoakCloud } from '../cloud.js';
import type { SoakOptions } from '../options.js';
import { ensureSoakRole } from '../role.js';
import { zipOne } from './mixed-load.js';

const NAME = 'soak-crash';
const PUT_EVERY_MS = 100;
const CALL_TIMEOUT_MS = 3000;

const COUNTER = `'use strict';
const { DynamoDBClient, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async (event) => {
  for (const record of event.Records) {
    const id = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
    await ddb.send(new UpdateItemCommand({
      TableName: process.env.TABLE,
      Key: { id: { S: id } },
      UpdateExpression: 'ADD deliveries :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }));
  }
};
`;

export interface CrashResult {
  kills: number;
  /** Records put / acknowledged by PutRecords (a put while the cloud was down is neither). */
  put: number;
  acknowledged: number;
  lost: number;
  /** Some of the lost ids, to look for. */
  lostExamples: string[];
  /** Deliveries beyond the first, over all records. */
  duplicates: number;
  /** Records stored though their PutRecords never answered (the cloud died first): not lost, not promised. */
  storedUnacknowledged: number;
  /** kill -9 to healthy again, per restart. */
  restartMs: number[];
  drainMs: number;
}

export async function runCrash(options: SoakOptions, progress: Progress): Promise<CrashResult> {
  const line = progress.phase('crash (kill -9)');
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'soak-state-'));
  let cloud: SoakCloud | undefined;
  const clients = (url: string) => {
    const config = { endpoint: url, region: BENCH_REGION, credentials: ADMIN_CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: CALL_TIMEOUT_MS }) };
    return { ddb: new DynamoDBClient(config), kinesis: new KinesisClient(config), lambda: new LambdaClient(config) };
  };
  try {
    cloud = await SoakCloud.start({ stateDir });
    const { ddb, kinesis, lambda } = clients(cloud.url);
    line.update('deploying the stream → function → table pipeline');
    await setUp(cloud.url, ddb, kinesis, lambda);

    const acknowledged = new Set<string>();
    let put = 0;
    let producing = true;
    const producer = (async () => {
      const perCall = Math.max(1, Math.round((options.crashEventsPerSecond * PUT_EVERY_MS) / 1000));
      while (producing) {
        const ids = Array.from({ length: perCall }, () => `e${String(++put).padStart(7, '0')}`);
        const tick = sleep(PUT_EVERY_MS);
        try {
          const output = await kinesis.send(new PutRecordsCommand({ StreamName: NAME, Records: ids.map((id) => ({ PartitionKey: id, Data: Buffer.from(id) })) }));
          output.Records?.forEach((r, i) => {
            if (r.SequenceNumber && !r.ErrorCode) acknowledged.add(ids[i]!);
          });
        } catch {
          // The cloud is down or dying: these records were never acknowledged.
        }
        await tick;
      }
    })();

    const restartMs: number[] = [];
    for (let kill = 1; kill <= options.crashKills; kill++) {
      line.update(`ingesting, kill ${kill}/${options.crashKills} in ${options.crashSegmentSeconds} s (${acknowledged.size} acknowledged)`);
      await sleep(options.crashSegmentSeconds * 1000);
      const killed = performance.now();
      await cloud.killAndRestart();
      restartMs.push(performance.now() - killed);
    }
    await sleep(options.crashSegmentSeconds * 1000);
    producing = false;
    await producer;

    line.update(`waiting for the ${acknowledged.size} acknowledged records to be stored`);
    const drainStarted = performance.now();
    const drainDeadline = drainStarted + (options.quick ? 20_000 : 60_000);
    let stored = new Map<string, number>();
    for (;;) {
      stored = await storedCounts(ddb).catch(() => stored);
      const missing = [...acknowledged].filter((id) => !stored.has(id)).length;
      line.update(`${stored.size} stored, ${missing} acknowledged records still missing`);
      if (missing === 0 || performance.now() > drainDeadline) break;
      await sleep(500);
    }
    const drainMs = performance.now() - drainStarted;
    for (const c of [ddb, kinesis, lambda]) c.destroy();

    const lostIds = [...acknowledged].filter((id) => !stored.has(id));
    let duplicates = 0;
    for (const count of stored.values()) duplicates += Math.max(0, count - 1);
    const result: CrashResult = {
      kills: options.crashKills,
      put,
      acknowledged: acknowledged.size,
      lost: lostIds.length,
      lostExamples: lostIds.slice(0, 10),
      duplicates,
      storedUnacknowledged: [...stored.keys()].filter((id) => !acknowledged.has(id)).length,
      restartMs,
      drainMs,
    };
    const summary = `${options.crashKills} kills, ${acknowledged.size} acknowledged: ${result.lost} lost, ${duplicates} duplicate deliveries`;
    if (result.lost) line.fail(summary);
    else line.done(summary);
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error).split('\n')[0]!);
    throw error;
  } finally {
    await cloud?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function setUp(url: string, ddb: DynamoDBClient, kinesis: KinesisClient, lambda: LambdaClient): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: NAME,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await kinesis.send(new CreateStreamCommand({ StreamName: NAME, ShardCount: 1 }));
  for (let i = 0; ; i++) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: NAME }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    if (i > 100) throw new Error(`the stream ${NAME} did not become ACTIVE`);
    await sleep(50);
  }
  const role = await ensureSoakRole(url);
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: NAME,
      Runtime: 'nodejs22.x',
      Role: role,
      Handler: 'index.handler',
      Timeout: 30,
      Environment: { Variables: { TABLE: NAME } },
      Code: { ZipFile: await zipOne('index.js', COUNTER) },
    }),
  );
  const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: NAME }));
  await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn.FunctionArn,
      EventSourceArn: StreamDescriptionSummary!.StreamARN,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
    }),
  );
}

/** Every stored record id with its delivery count (a paginated Scan). */
async function storedCounts(ddb: DynamoDBClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let start: Record<string, any> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: NAME, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (item.id?.S) counts.set(item.id.S, Number(item.deliveries?.N ?? 0));
    start = page.LastEvaluatedKey;
  } while (start);
  return counts;
}
