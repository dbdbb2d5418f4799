import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { closingIteratorStream } from '../../localcloud/services/dynamodb/closing-streams.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { waitFor } from '../support/wait.js';

/**
 * Every LevelDB iterator a DynamoDB read opens must be closed again (issue
 * 11: dynalite's streams never closed theirs, and each Query or Scan leaked
 * one for as long as the cloud ran).
 *
 * The count is taken where LevelDB itself keeps it: abstract-level attaches
 * every iterator to its database when it opens and detaches it when it
 * closes, for classic-level and memory-level alike.
 */
const require = createRequire(import.meta.url);
const { AbstractLevel } = require(require.resolve('abstract-level', { paths: [require.resolve('dynalite/package.json')] })) as {
  AbstractLevel: { prototype: { attachResource(resource: unknown): void; detachResource(resource: unknown): void } };
};

/** Counts the LevelDB resources (iterators, snapshots) attached to any database in this process. */
function countOpenLevelResources(): { readonly open: number; readonly opened: number; restore(): void } {
  const { attachResource, detachResource } = AbstractLevel.prototype;
  const counter = { open: 0, opened: 0, restore() {} };
  AbstractLevel.prototype.attachResource = function (resource) {
    counter.open++;
    counter.opened++;
    return attachResource.call(this, resource);
  };
  AbstractLevel.prototype.detachResource = function (resource) {
    counter.open--;
    return detachResource.call(this, resource);
  };
  counter.restore = () => Object.assign(AbstractLevel.prototype, { attachResource, detachResource });
  return counter;
}

/** Runs `count` calls of `call`, `concurrency` at a time. */
async function repeat(count: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await call(next++);
    }),
  );
}

for (const storage of ['state directory (classic-level)', 'memory (memory-level)'] as const) {
  describe(`dynamodb: reads close their LevelDB iterators, ${storage}`, function () {
    this.timeout(180_000);
    let cloud: TestCloud;
    let ddb: DynamoDBClient;
    let state: ReturnType<typeof tempDir> | undefined;
    let resources: ReturnType<typeof countOpenLevelResources>;

    before(async () => {
      if (storage.startsWith('state')) state = tempDir();
      cloud = await startTestCloud({ stateDir: state?.dir });
      ddb = new DynamoDBClient(cloud.clientConfig());
      await ddb.send(
        new CreateTableCommand({
          TableName: 'Readings',
          AttributeDefinitions: [
            { AttributeName: 'SensorId', AttributeType: 'S' },
            { AttributeName: 'Timestamp', AttributeType: 'S' },
            { AttributeName: 'Site', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'SensorId', KeyType: 'HASH' },
            { AttributeName: 'Timestamp', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'BySite',
              KeySchema: [{ AttributeName: 'Site', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await repeat(40, 8, (i) =>
        ddb.send(
          new PutItemCommand({
            TableName: 'Readings',
            Item: { SensorId: { S: `sensor-${i % 4}` }, Timestamp: { S: String(1000 + i) }, Site: { S: `site-${i % 2}` } },
          }),
        ),
      );
      resources = countOpenLevelResources();
    });
    after(async () => {
      resources?.restore();
      ddb?.destroy();
      await cloud?.stop();
      state?.cleanup();
    });

    it('a few thousand Queries and Scans (most stopped early by Limit) leave no iterator open', async () => {
      await repeat(1500, 10, (i) =>
        ddb.send(
          new QueryCommand({
            TableName: 'Readings',
            KeyConditionExpression: 'SensorId = :s',
            ExpressionAttributeValues: { ':s': { S: `sensor-${i % 4}` } },
            Limit: 1 + (i % 3),
            ScanIndexForward: i % 2 === 0,
          }),
        ),
      );
      await repeat(500, 10, (i) =>
        ddb.send(
          new QueryCommand({
            TableName: 'Readings',
            IndexName: 'BySite',
            KeyConditionExpression: 'Site = :s',
            ExpressionAttributeValues: { ':s': { S: `site-${i % 2}` } },
            Limit: 2,
          }),
        ),
      );
      await repeat(1000, 10, (i) => ddb.send(new ScanCommand({ TableName: 'Readings', ...(i % 2 ? { Limit: 3 } : {}) })));
      await repeat(50, 5, () => ddb.send(new ListTablesCommand({})));
      expect(resources.opened, 'iterators opened by the reads').to.be.at.least(3000);

      // The last streams finish closing just after their answers leave: wait for that (a count, not memory).
      await waitFor(() => resources.open === 0, 'every iterator to close', 5_000).catch(() => undefined);
      expect(resources.open, 'LevelDB iterators left open').to.equal(0);
    });
  });
}

describe('dynamodb: closingIteratorStream', function () {
  /** An iterator over `items` that fails its read number `failAt` (from 1), recording whether it was closed. */
  function fakeIterator(items: number[], failAt = Infinity) {
    let reads = 0;
    const iterator = {
      closed: 0,
      async nextv(size: number) {
        if (++reads >= failAt) throw new Error('read failed');
        return items.splice(0, Math.min(size, 2));
      },
      async close() {
        iterator.closed++;
      },
    };
    return iterator;
  }
  const ended = (stream: Readable) => new Promise<void>((resolve) => stream.on('close', () => resolve()));

  it('closes the iterator after the last item', async () => {
    const iterator = fakeIterator([1, 2, 3, 4, 5]);
    const stream = closingIteratorStream(iterator);
    const read: number[] = [];
    for await (const item of stream) read.push(item as number);
    expect(read).to.deep.equal([1, 2, 3, 4, 5]);
    expect(iterator.closed).to.equal(1);
  });

  it('closes the iterator when the reader stops early', async () => {
    const iterator = fakeIterator([1, 2, 3, 4, 5, 6, 7, 8]);
    const stream = closingIteratorStream(iterator);
    stream.once('data', () => stream.destroy());
    await ended(stream);
    expect(iterator.closed).to.equal(1);
  });

  it('closes the iterator on a read error, and reports the error', async () => {
    const iterator = fakeIterator([1, 2, 3, 4, 5, 6], 2);
    const stream = closingIteratorStream(iterator);
    const error = new Promise<Error>((resolve) => stream.on('error', resolve));
    const closed = ended(stream);
    stream.resume();
    expect((await error).message).to.equal('read failed');
    await closed;
    expect(iterator.closed).to.equal(1);
  });
});
