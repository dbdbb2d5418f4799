import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeEndpointsCommand,
  DescribeLimitsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ScanCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand as DocQueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { rawJsonRequest } from '../support/raw-json.js';

/** The IoT backend's sensor table: HASH SensorId, RANGE Timestamp. */
function sensorTable(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'SensorId', AttributeType: 'S' },
      { AttributeName: 'Timestamp', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'SensorId', KeyType: 'HASH' },
      { AttributeName: 'Timestamp', KeyType: 'RANGE' },
    ],
    ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
  };
}

/** A JSON 1.0 request without the SDK, for bodies no SDK would send. */
const rawDynamoDb = (url: string, operation: string, body: string) =>
  rawJsonRequest(url, `DynamoDB_20120810.${operation}`, body, 'application/x-amz-json-1.0');

describe('dynamodb', function () {
  let cloud: TestCloud;
  let ddb: DynamoDBClient;
  before(async () => {
    cloud = await startTestCloud();
    ddb = new DynamoDBClient(cloud.clientConfig());
  });
  after(async () => {
    ddb.destroy();
    await cloud.stop();
  });

  describe('tables', () => {
    it('creates, describes, lists and deletes a table', async () => {
      const created = await ddb.send(new CreateTableCommand(sensorTable('lifecycle')));
      expect(created.TableDescription?.TableName).to.equal('lifecycle');
      expect(created.TableDescription?.TableArn).to.equal('arn:aws:dynamodb:us-east-1:000000000000:table/lifecycle');

      await waitUntilTableExists({ client: ddb, maxWaitTime: 60 }, { TableName: 'lifecycle' });
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'lifecycle' }));
      expect(Table?.TableStatus).to.equal('ACTIVE');
      expect(Table?.KeySchema).to.deep.equal(sensorTable('x').KeySchema);
      expect(Table?.CreationDateTime).to.be.instanceOf(Date);
      expect(Table).to.not.have.property('_localcloud');

      expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.include('lifecycle');

      const deleted = await ddb.send(new DeleteTableCommand({ TableName: 'lifecycle' }));
      expect(deleted.TableDescription?.TableStatus).to.equal('DELETING');
      await expectAwsError(ddb.send(new DescribeTableCommand({ TableName: 'lifecycle' })), 'ResourceNotFoundException');
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.not.include('lifecycle');
    });

    it('puts each account and region in its own namespace, with its own ARNs', async () => {
      const inEu = new DynamoDBClient(cloud.clientConfig('eu-west-1'));
      const otherAccount = new DynamoDBClient({ ...cloud.clientConfig(), credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' } });
      try {
        const eu = await inEu.send(new CreateTableCommand(sensorTable('scoped')));
        expect(eu.TableDescription?.TableArn).to.equal('arn:aws:dynamodb:eu-west-1:000000000000:table/scoped');
        const other = await otherAccount.send(new CreateTableCommand(sensorTable('scoped')));
        expect(other.TableDescription?.TableArn).to.equal('arn:aws:dynamodb:us-east-1:111122223333:table/scoped');
        expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.not.include('scoped');
      } finally {
        inEu.destroy();
        otherAccount.destroy();
      }
    });

    it('answers ResourceInUseException for a table that exists', async () => {
      await ddb.send(new CreateTableCommand(sensorTable('twice')));
      const err = await expectAwsError(ddb.send(new CreateTableCommand(sensorTable('twice'))), 'ResourceInUseException');
      expect(err).to.be.instanceOf(ResourceInUseException);
      expect(err.message).to.equal('Table already exists: twice');
    });

    it('answers ResourceNotFoundException for a missing table', async () => {
      const err = await expectAwsError(ddb.send(new GetItemCommand({ TableName: 'missing', Key: { SensorId: { S: 'a' } } })), 'ResourceNotFoundException');
      expect(err).to.be.instanceOf(ResourceNotFoundException);
      expect(err.$metadata.httpStatusCode).to.equal(400);
    });

    it('rejects invalid table names with ValidationException', async () => {
      await expectAwsError(ddb.send(new CreateTableCommand(sensorTable('ab'))), 'ValidationException');
      const err = await expectAwsError(ddb.send(new DescribeTableCommand({ TableName: 'bad name!' })), 'ValidationException');
      expect(err.message).to.match(/tableName/);
    });

    it('applies Tags given to CreateTable, and TagResource/UntagResource/ListTagsOfResource', async () => {
      const { TableDescription } = await ddb.send(new CreateTableCommand({ ...sensorTable('tagged'), Tags: [{ Key: 'app', Value: 'iot' }] }));
      const arn = TableDescription!.TableArn!;
      await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'demo' }] }));
      await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['app'] }));
      const { Tags } = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
      expect(Tags).to.deep.equal([{ Key: 'env', Value: 'demo' }]);
    });

    it('records time to live and reports it (DescribeTimeToLive/UpdateTimeToLive)', async () => {
      await ddb.send(new CreateTableCommand(sensorTable('ttl')));
      expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription).to.deep.equal({ TimeToLiveStatus: 'DISABLED' });
      const updated = await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ExpiresAt' } }));
      expect(updated.TimeToLiveSpecification).to.deep.equal({ Enabled: true, AttributeName: 'ExpiresAt' });
      expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription).to.deep.equal({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ExpiresAt' });
      await expectAwsError(ddb.send(new UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ExpiresAt' } })), 'ValidationException');
      await expectAwsError(ddb.send(new DescribeTimeToLiveCommand({ TableName: 'no-such-table' })), 'ResourceNotFoundException');
      // UpdateTable keeps what dynalite does not know about.
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'ttl' }));
      expect(Table).to.not.have.property('_localcloud');
    });

    it('records point-in-time recovery (Describe/UpdateContinuousBackups)', async () => {
      await ddb.send(new CreateTableCommand(sensorTable('pitr')));
      const before = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'pitr' }));
      expect(before.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).to.equal('DISABLED');
      const after = await ddb.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      const description = after.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
      expect(description?.PointInTimeRecoveryStatus).to.equal('ENABLED');
      expect(description?.EarliestRestorableDateTime).to.be.instanceOf(Date);
    });

    it('answers the account-level calls SDKs and tools make (DescribeLimits, DescribeEndpoints)', async () => {
      const limits = await ddb.send(new DescribeLimitsCommand({}));
      expect(limits.TableMaxWriteCapacityUnits).to.be.a('number');
      const { Endpoints } = await ddb.send(new DescribeEndpointsCommand({}));
      expect(Endpoints?.[0].Address).to.equal(new URL(cloud.url).host);
    });
  });

  describe('items', () => {
    before(async () => {
      await ddb.send(new CreateTableCommand(sensorTable('SensorData')));
    });

    it('puts, gets, updates and deletes an item', async () => {
      const key = { SensorId: { S: 'sensor-1' }, Timestamp: { S: '2024-01-01T00:00:00Z' } };
      await ddb.send(new PutItemCommand({ TableName: 'SensorData', Item: { ...key, Value: { N: '21.5' } } }));
      expect((await ddb.send(new GetItemCommand({ TableName: 'SensorData', Key: key }))).Item).to.deep.equal({ ...key, Value: { N: '21.5' } });

      const updated = await ddb.send(new UpdateItemCommand({
        TableName: 'SensorData',
        Key: key,
        UpdateExpression: 'SET #v = #v + :d, #u = :u',
        ExpressionAttributeNames: { '#v': 'Value', '#u': 'Unit' },
        ExpressionAttributeValues: { ':d': { N: '1' }, ':u': { S: 'C' } },
        ReturnValues: 'ALL_NEW',
      }));
      expect(updated.Attributes?.Value).to.deep.equal({ N: '22.5' });
      expect(updated.Attributes?.Unit).to.deep.equal({ S: 'C' });

      const deleted = await ddb.send(new DeleteItemCommand({ TableName: 'SensorData', Key: key, ReturnValues: 'ALL_OLD' }));
      expect(deleted.Attributes?.Unit).to.deep.equal({ S: 'C' });
      expect((await ddb.send(new GetItemCommand({ TableName: 'SensorData', Key: key }))).Item).to.equal(undefined);
    });

    it('fails a put whose condition does not hold with ConditionalCheckFailedException', async () => {
      const item = { SensorId: { S: 'sensor-c' }, Timestamp: { S: 't' } };
      await ddb.send(new PutItemCommand({ TableName: 'SensorData', Item: item }));
      const err = await expectAwsError(
        ddb.send(new PutItemCommand({ TableName: 'SensorData', Item: item, ConditionExpression: 'attribute_not_exists(SensorId)' })),
        'ConditionalCheckFailedException',
      );
      expect(err).to.be.instanceOf(ConditionalCheckFailedException);
    });

    it('writes a batch (empty UnprocessedItems) and queries it newest first', async () => {
      const requests = Array.from({ length: 25 }, (_, i) => ({
        PutRequest: { Item: { SensorId: { S: 'sensor-q' }, Timestamp: { S: `2024-01-01T00:00:${String(i).padStart(2, '0')}Z` }, Value: { N: String(i) } } },
      }));
      const written = await ddb.send(new BatchWriteItemCommand({ RequestItems: { SensorData: requests } }));
      expect(written.UnprocessedItems).to.deep.equal({});

      const { Items, Count } = await ddb.send(new QueryCommand({
        TableName: 'SensorData',
        KeyConditionExpression: 'SensorId = :s',
        ExpressionAttributeValues: { ':s': { S: 'sensor-q' } },
        ScanIndexForward: false,
        Limit: 20,
      }));
      expect(Count).to.equal(20);
      expect(Items?.[0].Value).to.deep.equal({ N: '24' });
      expect(Items?.[19].Value).to.deep.equal({ N: '5' });
    });

    it('rejects a batch with the same key twice, as the IoT backend must handle', async () => {
      const item = { SensorId: { S: 'dup' }, Timestamp: { S: 't' } };
      const err = await expectAwsError(
        ddb.send(new BatchWriteItemCommand({ RequestItems: { SensorData: [{ PutRequest: { Item: item } }, { PutRequest: { Item: item } }] } })),
        'ValidationException',
      );
      expect(err.message).to.match(/duplicates/);
    });

    it('round-trips native values through the lib-dynamodb DocumentClient', async () => {
      const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
      const item = {
        SensorId: 'sensor-dóc ✓',
        Timestamp: '2024-02-02T10:00:00.000Z',
        value: 17.25,
        ok: true,
        tags: ['a', 'b'],
        location: { lat: 52.5, lon: 13.4, labels: { room: 'lab' } },
        missing: undefined,
      };
      await doc.send(new PutCommand({ TableName: 'SensorData', Item: item }));
      const { Item } = await doc.send(new GetCommand({ TableName: 'SensorData', Key: { SensorId: item.SensorId, Timestamp: item.Timestamp } }));
      const { missing: _missing, ...stored } = item;
      expect(Item).to.deep.equal(stored);

      await doc.send(new UpdateCommand({
        TableName: 'SensorData',
        Key: { SensorId: item.SensorId, Timestamp: item.Timestamp },
        UpdateExpression: 'SET #c = :c',
        ExpressionAttributeNames: { '#c': 'ArchiveBucket' },
        ExpressionAttributeValues: { ':c': 'my-bucket' },
      }));
      const { Items } = await doc.send(new DocQueryCommand({
        TableName: 'SensorData',
        KeyConditionExpression: 'SensorId = :s',
        ExpressionAttributeValues: { ':s': item.SensorId },
      }));
      expect(Items).to.have.length(1);
      expect(Items?.[0].ArchiveBucket).to.equal('my-bucket');
      expect(Items?.[0].location).to.deep.equal(item.location);
    });
  });

  describe('what dynalite leaves out', () => {
    before(async () => {
      await ddb.send(new CreateTableCommand({
        ...sensorTable('Collections'),
        AttributeDefinitions: [...sensorTable('x').AttributeDefinitions!, { AttributeName: 'Kind', AttributeType: 'S' }],
        LocalSecondaryIndexes: [{
          IndexName: 'ByKind',
          KeySchema: [{ AttributeName: 'SensorId', KeyType: 'HASH' }, { AttributeName: 'Kind', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'ALL' },
        }],
      }));
      await ddb.send(new PutItemCommand({ TableName: 'Collections', Item: { SensorId: { S: 's1' }, Timestamp: { S: 't1' }, Value: { N: '1' } } }));
    });

    it('returns the item with a failed condition when ReturnValuesOnConditionCheckFailure is ALL_OLD', async () => {
      const key = { SensorId: { S: 's1' }, Timestamp: { S: 't1' } };
      const put = await expectAwsError(ddb.send(new PutItemCommand({
        TableName: 'Collections', Item: { ...key, Value: { N: '2' } },
        ConditionExpression: 'attribute_not_exists(SensorId)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      })), 'ConditionalCheckFailedException', 400);
      expect((put as ConditionalCheckFailedException).Item).to.deep.equal({ ...key, Value: { N: '1' } });

      const update = await expectAwsError(ddb.send(new UpdateItemCommand({
        TableName: 'Collections', Key: key, UpdateExpression: 'SET #v = :v', ConditionExpression: '#v = :old',
        ExpressionAttributeNames: { '#v': 'Value' }, ExpressionAttributeValues: { ':v': { N: '3' }, ':old': { N: '9' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      })), 'ConditionalCheckFailedException');
      expect((update as ConditionalCheckFailedException).Item?.Value).to.deep.equal({ N: '1' });

      const del = await expectAwsError(ddb.send(new DeleteItemCommand({
        TableName: 'Collections', Key: key, ConditionExpression: 'attribute_not_exists(SensorId)',
      })), 'ConditionalCheckFailedException');
      expect((del as ConditionalCheckFailedException).Item, 'no item unless asked for').to.equal(undefined);

      await expectAwsError(ddb.send(new DeleteItemCommand({
        TableName: 'Collections', Key: key, ReturnValuesOnConditionCheckFailure: 'SOME' as 'ALL_OLD',
      })), 'ValidationException', 400, /returnValuesOnConditionCheckFailure/);
    });

    it('reports item collection metrics for tables with local secondary indexes', async () => {
      const put = await ddb.send(new PutItemCommand({
        TableName: 'Collections', Item: { SensorId: { S: 's2' }, Timestamp: { S: 't' }, Kind: { S: 'k' } }, ReturnItemCollectionMetrics: 'SIZE',
      }));
      expect(put.ItemCollectionMetrics?.ItemCollectionKey).to.deep.equal({ SensorId: { S: 's2' } });
      expect(put.ItemCollectionMetrics?.SizeEstimateRangeGB).to.have.length(2);

      const batch = await ddb.send(new BatchWriteItemCommand({
        RequestItems: { Collections: [{ DeleteRequest: { Key: { SensorId: { S: 's2' }, Timestamp: { S: 't' } } } }] },
        ReturnItemCollectionMetrics: 'SIZE',
      }));
      expect(batch.ItemCollectionMetrics?.Collections?.[0].ItemCollectionKey).to.deep.equal({ SensorId: { S: 's2' } });

      // A table without local secondary indexes has no item collections.
      const plain = await ddb.send(new PutItemCommand({
        TableName: 'SensorData', Item: { SensorId: { S: 'm' }, Timestamp: { S: 't' } }, ReturnItemCollectionMetrics: 'SIZE',
      }));
      expect(plain.ItemCollectionMetrics).to.equal(undefined);
    });

    it('refuses a Scan with Segment 0 but no TotalSegments, and the reverse', async () => {
      await expectAwsError(ddb.send(new ScanCommand({ TableName: 'Collections', Segment: 0 })), 'ValidationException', 400,
        /TotalSegments parameter is required but was not present in the request when Segment parameter is present/);
      await expectAwsError(ddb.send(new ScanCommand({ TableName: 'Collections', TotalSegments: 2 })), 'ValidationException', 400,
        /Segment parameter is required but was not present in the request when parameter TotalSegments is present/);
      const { Count } = await ddb.send(new ScanCommand({ TableName: 'Collections', Segment: 0, TotalSegments: 1 }));
      expect(Count).to.be.greaterThan(0);
    });

    it('refuses DeleteItem ReturnValues that only updates have', async () => {
      for (const ReturnValues of ['UPDATED_NEW', 'ALL_NEW', 'UPDATED_OLD'] as const) {
        await expectAwsError(ddb.send(new DeleteItemCommand({
          TableName: 'Collections', Key: { SensorId: { S: 's1' }, Timestamp: { S: 't1' } }, ReturnValues,
        })), 'ValidationException', 400, /^Return values set to invalid value$/);
      }
      const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Collections', Key: { SensorId: { S: 's1' }, Timestamp: { S: 't1' } } }));
      expect(Item, 'the refused deletes deleted nothing').to.not.equal(undefined);
    });
  });

  describe('malformed requests', () => {
    it('answers a body that is not JSON with SerializationException', async () => {
      const res = await rawDynamoDb(cloud.url, 'PutItem', '{"TableName": "SensorData", ');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('SerializationException');
    });

    it('answers a JSON body of the wrong shape with SerializationException', async () => {
      const res = await rawDynamoDb(cloud.url, 'GetItem', JSON.stringify({ TableName: 'SensorData', Key: 'not-a-map' }));
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('SerializationException');
      const array = await rawDynamoDb(cloud.url, 'GetItem', '[1, 2, 3]');
      expect(array.body.__type).to.equal('SerializationException');
    });

    it('answers an unknown operation with UnknownOperationException', async () => {
      const res = await rawDynamoDb(cloud.url, 'FlyToTheMoon', '{}');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('UnknownOperationException');
    });

    it('answers random bytes without crashing, and keeps serving', async () => {
      const res = await rawJsonRequest(cloud.url, 'DynamoDB_20120810.Query', Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x22]), 'application/x-amz-json-1.0');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('SerializationException');
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.be.an('array');
    });

    it('answers an unsigned request with MissingAuthenticationTokenException, as AWS does', async () => {
      const res = await rawJsonRequest(cloud.url, 'DynamoDB_20120810.ListTables', '{}', 'application/x-amz-json-1.0', 'unsigned');
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.match(/MissingAuthenticationTokenException$/);
    });

    it('answers missing required members with ValidationException', async () => {
      const res = await rawDynamoDb(cloud.url, 'PutItem', JSON.stringify({ TableName: 'SensorData' }));
      expect(res.status).to.equal(400);
      expect(res.body.__type).to.equal('ValidationException');
    });
  });

  describe('throughput (measured, not asserted)', () => {
    it('BatchWriteItem of 25 items × 40 through the gateway', async function () {
      this.timeout(120_000);
      await ddb.send(new CreateTableCommand(sensorTable('Throughput')));
      const batches = 40;
      const writeBatch = async (b: number) => {
        const requests = Array.from({ length: 25 }, (_, i) => ({
          PutRequest: { Item: { SensorId: { S: `s-${i % 5}` }, Timestamp: { S: `${b}-${i}` }, Value: { N: String(i) } } },
        }));
        const { UnprocessedItems } = await ddb.send(new BatchWriteItemCommand({ RequestItems: { Throughput: requests } }));
        expect(UnprocessedItems).to.deep.equal({});
      };
      for (let b = -10; b < 0; b++) await writeBatch(b); // warm-up, not counted
      const started = process.hrtime.bigint();
      for (let b = 0; b < batches; b++) await writeBatch(b);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(`      BatchWriteItem: ${Math.round((batches * 25) / seconds)} items/s (${batches} × 25 in ${seconds.toFixed(2)} s)`);
    });
  });
});

describe('dynamodb state directory', () => {
  it('keeps tables, items and settings across a restart', async () => {
    const state = tempDir();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let ddb = new DynamoDBClient(cloud.clientConfig());
      await ddb.send(new CreateTableCommand(sensorTable('Persistent')));
      await ddb.send(new PutItemCommand({ TableName: 'Persistent', Item: { SensorId: { S: 'p' }, Timestamp: { S: '1' }, Value: { N: '7' } } }));
      await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'Persistent', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }));
      ddb.destroy();
      await cloud.stop();

      // Same directory again: the LevelDB lock must have been released by stop().
      cloud = await startTestCloud({ stateDir: state.dir });
      ddb = new DynamoDBClient(cloud.clientConfig());
      try {
        const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Persistent', Key: { SensorId: { S: 'p' }, Timestamp: { S: '1' } } }));
        expect(Item?.Value).to.deep.equal({ N: '7' });
        expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'Persistent' }))).TimeToLiveDescription?.TimeToLiveStatus).to.equal('ENABLED');
        expect((await ddb.send(new DescribeTableCommand({ TableName: 'Persistent' }))).Table?.TableStatus).to.equal('ACTIVE');
      } finally {
        ddb.destroy();
        await cloud.stop();
      }
    } finally {
      state.cleanup();
    }
  });

  it('refuses to start on a state directory another cloud holds', async () => {
    const state = tempDir();
    const first = await startTestCloud({ stateDir: state.dir });
    try {
      let failure: unknown;
      try {
        const second = await startTestCloud({ stateDir: state.dir });
        await second.stop();
      } catch (err) {
        failure = err;
      }
      expect(String(failure)).to.match(/cannot open the (DynamoDB|Kinesis) store/);
    } finally {
      await first.stop();
      state.cleanup();
    }
  });
});
