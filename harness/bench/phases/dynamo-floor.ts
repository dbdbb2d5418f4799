/**
 * Reference point: raw BatchWriteItem throughput on the same DynamoDB engine
 * the pipeline writes to, in the same cloud process — sensor-shaped items, 25
 * per call (the API's limit and the processor's batch size). Every event of
 * the pipeline costs one such write and more, so this is the floor the
 * pipeline's throughput is compared with. Measured with several calls in
 * flight (the engine's capacity) and one at a time (how the processor writes:
 * one shard, one batch after the other).
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { clientConfig } from '../clients.js';
import type { CloudProcess } from '../cloud-process.js';
import { sleep, type PhaseContext } from '../context.js';
import { summarize, type Summary } from '../stats.js';

const ITEMS_PER_CALL = 25;
const CONCURRENCY = 4;
/** Written first and not measured: the engine's code paths get compiled before the clock runs. */
const WARMUP_ITEMS = 1000;

export interface DynamoFloorResult {
  /** Items/s with several BatchWriteItem calls in flight. */
  itemsPerSec: Summary;
  /** Items/s with one call at a time. */
  serialItemsPerSec: Summary;
}

export async function measureDynamoFloor({ options, progress }: PhaseContext, cloud: CloudProcess): Promise<DynamoFloorResult> {
  const line = progress.phase('ref: DynamoDB floor');
  const ddb = new DynamoDBClient(clientConfig(cloud.url));
  const table = 'bench-dynamodb-floor';
  try {
    await createTable(ddb, table);
    line.update('warming up');
    await writeItems(ddb, table, 'warmup', WARMUP_ITEMS, CONCURRENCY);
    const parallel: number[] = [];
    const serial: number[] = [];
    for (let run = 1; run <= options.referenceRuns; run++) {
      for (const [samples, concurrency] of [[parallel, CONCURRENCY], [serial, 1]] as const) {
        line.update(`run ${run}/${options.referenceRuns}, ${concurrency} in flight`);
        samples.push(await writeItems(ddb, table, `floor${run}c${concurrency}`, options.dynamoFloorItems, concurrency));
      }
    }
    await ddb.send(new DeleteTableCommand({ TableName: table }));
    const result = { itemsPerSec: summarize(parallel), serialItemsPerSec: summarize(serial) };
    line.done(
      `${result.itemsPerSec.median.toFixed(0)} items/s with ${CONCURRENCY} in flight (${result.itemsPerSec.min.toFixed(0)}–${result.itemsPerSec.max.toFixed(0)}), ` +
        `${result.serialItemsPerSec.median.toFixed(0)} one at a time`,
    );
    return result;
  } catch (error) {
    line.fail(String(error instanceof Error ? error.message : error));
    throw error;
  } finally {
    ddb.destroy();
  }
}

/** The same key schema as SensorDataTable. */
async function createTable(ddb: DynamoDBClient, table: string): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'SensorId', AttributeType: 'S' },
        { AttributeName: 'Timestamp', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'SensorId', KeyType: 'HASH' },
        { AttributeName: 'Timestamp', KeyType: 'RANGE' },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    }),
  );
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await sleep(20);
  }
}

/** Writes `count` items and answers items per second. */
async function writeItems(ddb: DynamoDBClient, table: string, prefix: string, count: number, concurrency: number): Promise<number> {
  const base = Date.now();
  const requests: WriteRequest[] = Array.from({ length: count }, (_, i) => ({
    PutRequest: {
      Item: {
        SensorId: { S: `${prefix}-${String(i % 200).padStart(4, '0')}` },
        Timestamp: { S: new Date(base + i).toISOString() },
        Value: { N: String(20 + (i % 100) / 10) },
      },
    },
  }));
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests.length) {
      let batch = requests.slice(next, next + ITEMS_PER_CALL);
      next += ITEMS_PER_CALL;
      // UnprocessedItems are written again, as the processor does.
      while (batch.length > 0) {
        const output = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
        batch = output.UnprocessedItems?.[table] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (count / (performance.now() - started)) * 1000;
}
