/**
 * DynamoDB Streams: StreamSpecification on CreateTable/UpdateTable, the
 * Streams API (DynamoDBStreams_20120810, signed as dynamodb) — spoken raw,
 * as this project has no DynamoDB Streams SDK client, and through boto3's
 * AWS CLI — records from every write path, CloudFormation's GetAtt
 * StreamArn, and a Lambda mapping from a table stream under enforced IAM.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { rawJsonRequest } from '../support/raw-json.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { zipFiles } from '../fixtures/lambda/zip.js';

const table = (name: string, stream?: CreateTableCommandInput['StreamSpecification']): CreateTableCommandInput => ({
  TableName: name,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
  ...(stream ? { StreamSpecification: stream } : {}),
});

describe('dynamodb streams', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let ddb: DynamoDBClient;

  /** A DynamoDB Streams call; fails the test on an error unless `expectError`. */
  async function streams(operation: string, input: object): Promise<any> {
    const { status, body } = await rawJsonRequest(cloud.url, `DynamoDBStreams_20120810.${operation}`, JSON.stringify(input), 'application/x-amz-json-1.0');
    if (status !== 200) throw Object.assign(new Error(body.message ?? ''), { name: body.__type, status });
    return body;
  }
  async function allRecords(streamArn: string): Promise<any[]> {
    const { StreamDescription } = await streams('DescribeStream', { StreamArn: streamArn });
    const { ShardIterator } = await streams('GetShardIterator', { StreamArn: streamArn, ShardId: StreamDescription.Shards[0].ShardId, ShardIteratorType: 'TRIM_HORIZON' });
    return (await streams('GetRecords', { ShardIterator })).Records;
  }

  before(async () => {
    cloud = await startTestCloud();
    ddb = new DynamoDBClient(cloud.clientConfig());
  });
  after(async () => {
    ddb.destroy();
    await cloud.stop();
  });

  it('enables a stream on CreateTable and names it in DescribeTable and ListStreams', async () => {
    const created = await ddb.send(new CreateTableCommand(table('Orders', { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' })));
    const arn = created.TableDescription?.LatestStreamArn;
    expect(arn).to.match(/^arn:aws:dynamodb:us-east-1:000000000000:table\/Orders\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'Orders' }));
    expect(Table?.StreamSpecification).to.deep.equal({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(Table?.LatestStreamArn).to.equal(arn);
    expect(arn!.endsWith(`/stream/${Table?.LatestStreamLabel}`)).to.equal(true);

    const listed = await streams('ListStreams', { TableName: 'Orders' });
    expect(listed.Streams).to.deep.equal([{ StreamArn: arn, TableName: 'Orders', StreamLabel: Table?.LatestStreamLabel }]);
    const { StreamDescription } = await streams('DescribeStream', { StreamArn: arn });
    expect(StreamDescription).to.include({ StreamArn: arn, StreamStatus: 'ENABLED', StreamViewType: 'NEW_AND_OLD_IMAGES', TableName: 'Orders' });
    expect(StreamDescription.KeySchema).to.deep.equal([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(StreamDescription.Shards).to.have.length(1);
  });

  it('records INSERT, MODIFY and REMOVE from every write path, and nothing for a write that changes nothing', async () => {
    const arn = (await ddb.send(new DescribeTableCommand({ TableName: 'Orders' }))).Table!.LatestStreamArn!;
    await ddb.send(new PutItemCommand({ TableName: 'Orders', Item: { pk: { S: 'a' }, n: { N: '1' } } }));
    await ddb.send(new PutItemCommand({ TableName: 'Orders', Item: { pk: { S: 'a' }, n: { N: '1' } } })); // unchanged: no record
    await ddb.send(new UpdateItemCommand({ TableName: 'Orders', Key: { pk: { S: 'a' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }));
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { Orders: [{ PutRequest: { Item: { pk: { S: 'b' } } } }] } }));
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Orders', Item: { pk: { S: 'c' } } } }, { Delete: { TableName: 'Orders', Key: { pk: { S: 'b' } } } }] }));
    await ddb.send(new DeleteItemCommand({ TableName: 'Orders', Key: { pk: { S: 'a' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: 'Orders', Key: { pk: { S: 'nothing' } } })); // no item: no record
    // A cancelled transaction leaves no record.
    await expectAwsError(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: 'Orders', Item: { pk: { S: 'd' } } } },
      { ConditionCheck: { TableName: 'Orders', Key: { pk: { S: 'zzz' } }, ConditionExpression: 'attribute_exists(pk)' } },
    ] })), 'TransactionCanceledException');

    const records = await allRecords(arn);
    expect(records.map((r) => `${r.eventName} ${r.dynamodb.Keys.pk.S}`)).to.deep.equal(['INSERT a', 'MODIFY a', 'INSERT b', 'INSERT c', 'REMOVE b', 'REMOVE a']);
    const modify = records[1];
    expect(modify).to.include({ eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1' });
    expect(modify.eventID).to.be.a('string');
    expect(modify.dynamodb).to.include({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(modify.dynamodb.OldImage).to.deep.equal({ pk: { S: 'a' }, n: { N: '1' } });
    expect(modify.dynamodb.NewImage).to.deep.equal({ pk: { S: 'a' }, n: { N: '2' } });
    expect(modify.dynamodb.ApproximateCreationDateTime).to.be.a('number');
    expect(modify.dynamodb.SizeBytes).to.be.greaterThan(0);
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect(sequence.every((s, i) => i === 0 || s > sequence[i - 1])).to.equal(true);
    expect(records[5].dynamodb.NewImage, 'REMOVE has no new image').to.equal(undefined);
  });

  it('positions iterators at and after sequence numbers, and at the latest record', async () => {
    const arn = (await ddb.send(new DescribeTableCommand({ TableName: 'Orders' }))).Table!.LatestStreamArn!;
    const records = await allRecords(arn);
    const shardId = (await streams('DescribeStream', { StreamArn: arn })).StreamDescription.Shards[0].ShardId;
    const from = async (type: string, SequenceNumber?: string) => {
      const { ShardIterator } = await streams('GetShardIterator', { StreamArn: arn, ShardId: shardId, ShardIteratorType: type, SequenceNumber });
      return streams('GetRecords', { ShardIterator, Limit: 2 });
    };
    expect((await from('AT_SEQUENCE_NUMBER', records[2].dynamodb.SequenceNumber)).Records.map((r: any) => r.eventID)).to.deep.equal([records[2].eventID, records[3].eventID]);
    expect((await from('AFTER_SEQUENCE_NUMBER', records[2].dynamodb.SequenceNumber)).Records[0].eventID).to.equal(records[3].eventID);
    const latest = await from('LATEST');
    expect(latest.Records).to.deep.equal([]);
    await ddb.send(new PutItemCommand({ TableName: 'Orders', Item: { pk: { S: 'late' } } }));
    const next = await streams('GetRecords', { ShardIterator: latest.NextShardIterator });
    expect(next.Records.map((r: any) => r.dynamodb.Keys.pk.S)).to.deep.equal(['late']);

    await expectAwsError(streams('GetShardIterator', { StreamArn: arn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER' }), 'ValidationException');
    await expectAwsError(streams('GetShardIterator', { StreamArn: arn, ShardId: 'shardId-nope', ShardIteratorType: 'LATEST' }), 'ResourceNotFoundException');
    await expectAwsError(streams('DescribeStream', { StreamArn: `${arn.slice(0, -3)}999` }), 'ResourceNotFoundException');
    await expectAwsError(streams('GetRecords', { ShardIterator: 'garbage' }), 'ValidationException');
  });

  it('shapes records by view type, and opens a new stream when re-enabled with UpdateTable', async () => {
    await ddb.send(new CreateTableCommand(table('Keys', { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' })));
    await ddb.send(new PutItemCommand({ TableName: 'Keys', Item: { pk: { S: 'k' }, secret: { S: 'x' } } }));
    const first = (await ddb.send(new DescribeTableCommand({ TableName: 'Keys' }))).Table!.LatestStreamArn!;
    const [keysOnly] = await allRecords(first);
    expect(keysOnly.dynamodb).to.not.have.any.keys('NewImage', 'OldImage');
    expect(keysOnly.dynamodb.Keys).to.deep.equal({ pk: { S: 'k' } });

    await expectAwsError(ddb.send(new UpdateTableCommand({ TableName: 'Keys', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } })), 'ValidationException');
    const disabled = await ddb.send(new UpdateTableCommand({ TableName: 'Keys', StreamSpecification: { StreamEnabled: false } }));
    expect(disabled.TableDescription?.StreamSpecification).to.deep.equal({ StreamEnabled: false });
    expect((await streams('DescribeStream', { StreamArn: first })).StreamDescription.StreamStatus).to.equal('DISABLED');
    await ddb.send(new PutItemCommand({ TableName: 'Keys', Item: { pk: { S: 'unstreamed' } } }));

    await new Promise((r) => setTimeout(r, 2)); // a new label needs a new millisecond
    const enabled = await ddb.send(new UpdateTableCommand({ TableName: 'Keys', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    const second = enabled.TableDescription!.LatestStreamArn!;
    expect(second).to.not.equal(first);
    await ddb.send(new PutItemCommand({ TableName: 'Keys', Item: { pk: { S: 'k2' }, v: { S: 'new' } } }));
    expect((await allRecords(second)).map((r) => r.dynamodb.NewImage)).to.deep.equal([{ pk: { S: 'k2' }, v: { S: 'new' } }]);
    expect((await allRecords(first)).map((r) => r.dynamodb.Keys.pk.S), 'nothing written while disabled').to.deep.equal(['k']);
    expect((await streams('ListStreams', { TableName: 'Keys' })).Streams).to.have.length(2);

    await expectAwsError(ddb.send(new CreateTableCommand(table('NoView', { StreamEnabled: true }))), 'ValidationException');
  });

  it('serves the AWS CLI (botocore) dynamodbstreams commands', async function () {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const aws = async (...args: string[]) => JSON.parse((await run('aws', ['--endpoint-url', cloud.url, '--output', 'json', ...args], { env })).stdout);
    let listed: any;
    try {
      listed = await aws('dynamodbstreams', 'list-streams', '--table-name', 'Orders');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.skip();
      throw err;
    }
    const arn = listed.Streams[0].StreamArn;
    const shard = (await aws('dynamodbstreams', 'describe-stream', '--stream-arn', arn)).StreamDescription.Shards[0].ShardId;
    const { ShardIterator } = await aws('dynamodbstreams', 'get-shard-iterator', '--stream-arn', arn, '--shard-id', shard, '--shard-iterator-type', 'TRIM_HORIZON');
    const { Records } = await aws('dynamodbstreams', 'get-records', '--shard-iterator', ShardIterator);
    expect(Records[0].eventName).to.equal('INSERT');
  });

  it('reports the stream ARN to CloudFormation (Fn::GetAtt StreamArn)', async () => {
    const cfn = new CloudFormationClient(cloud.clientConfig());
    try {
      await cfn.send(new CreateStackCommand({
        StackName: 'streamed',
        TemplateBody: JSON.stringify({
          Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: { ...table('CfnStreamed'), StreamSpecification: { StreamViewType: 'NEW_IMAGE' } } } },
          Outputs: { StreamArn: { Value: { 'Fn::GetAtt': ['T', 'StreamArn'] } } },
        }),
      }));
      const stack = await waitFor(async () => {
        const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'streamed' }));
        return Stacks?.[0].StackStatus?.endsWith('COMPLETE') || Stacks?.[0].StackStatus?.endsWith('FAILED') ? Stacks[0] : undefined;
      }, 'the stack');
      expect(stack.StackStatus).to.equal('CREATE_COMPLETE');
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'CfnStreamed' }));
      expect(stack.Outputs?.[0].OutputValue).to.equal(Table?.LatestStreamArn);
    } finally {
      cfn.destroy();
    }
  });

  it('feeds a Lambda function from a table stream, reading as the function role', async () => {
    const lambda = new LambdaClient(cloud.clientConfig());
    const out = tempDir('ddb-stream-lambda-');
    try {
      const created = await ddb.send(new CreateTableCommand(table('Feed', { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' })));
      const streamArn = created.TableDescription!.LatestStreamArn!;
      // The role may read this stream and nothing else.
      const role = await createExecutionRole(cloud.clientConfig(), 'feed-reader', JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords', 'dynamodb:ListStreams'], Resource: streamArn }],
      }));
      const code = await zipFiles({ 'index.js': `
        const fs = require('fs');
        exports.handler = async (event) => {
          fs.appendFileSync(process.env.OUT, event.Records.map((r) => JSON.stringify(r)).join('\\n') + '\\n');
        };` });
      await lambda.send(new CreateFunctionCommand({
        FunctionName: 'feed-consumer', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code },
        Environment: { Variables: { OUT: path.join(out.dir, 'records.jsonl') } },
      }));
      await ddb.send(new PutItemCommand({ TableName: 'Feed', Item: { pk: { S: 'before-mapping' } } }));
      const mapping = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'feed-consumer', EventSourceArn: streamArn, StartingPosition: 'TRIM_HORIZON', BatchSize: 10 }));
      await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === 'Enabled', 'the mapping');
      await ddb.send(new PutItemCommand({ TableName: 'Feed', Item: { pk: { S: 'after-mapping' }, v: { N: '1' } } }));
      await ddb.send(new DeleteItemCommand({ TableName: 'Feed', Key: { pk: { S: 'before-mapping' } } }));

      const file = path.join(out.dir, 'records.jsonl');
      const received = await waitFor(() => {
        if (!existsSync(file)) return undefined;
        const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        return lines.length >= 3 ? lines : undefined;
      }, 'three records at the function');
      expect(received.map((r) => `${r.eventName} ${r.dynamodb.Keys.pk.S}`)).to.deep.equal(['INSERT before-mapping', 'INSERT after-mapping', 'REMOVE before-mapping']);
      expect(received[1]).to.include({ eventSource: 'aws:dynamodb', eventVersion: '1.1', awsRegion: 'us-east-1', eventSourceARN: streamArn });
      expect(received[1].dynamodb.NewImage).to.deep.equal({ pk: { S: 'after-mapping' }, v: { N: '1' } });
      expect(received[1].dynamodb.ApproximateCreationDateTime).to.be.a('number');

      await expectAwsError(lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: 'feed-consumer', EventSourceArn: `${streamArn.slice(0, -3)}999`, StartingPosition: 'LATEST',
      })), 'InvalidParameterValueException');
      await expectAwsError(lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: 'feed-consumer', EventSourceArn: streamArn, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: new Date(),
      })), 'InvalidParameterValueException');

      // A function whose role may not read the stream is refused at once, as Lambda does.
      const blind = await createExecutionRole(cloud.clientConfig(), 'blind-reader', JSON.stringify({
        Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }],
      }));
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'blind-consumer', Runtime: 'nodejs22.x', Role: blind, Handler: 'index.handler', Code: { ZipFile: code } }));
      await expectAwsError(lambda.send(new CreateEventSourceMappingCommand({
        FunctionName: 'blind-consumer', EventSourceArn: streamArn, StartingPosition: 'LATEST',
      })), 'InvalidParameterValueException', 400, /Cannot access stream .*GetRecords, GetShardIterator, DescribeStream, and ListStreams/);
    } finally {
      lambda.destroy();
      out.cleanup();
    }
  });

  it('keeps streams and their records across a restart with a state directory', async () => {
    const state = tempDir();
    try {
      let restarted = await startTestCloud({ stateDir: state.dir });
      let client = new DynamoDBClient(restarted.clientConfig());
      const arn = (await client.send(new CreateTableCommand(table('Kept', { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' })))).TableDescription!.LatestStreamArn!;
      await client.send(new PutItemCommand({ TableName: 'Kept', Item: { pk: { S: 'one' } } }));
      client.destroy();
      await restarted.stop();

      restarted = await startTestCloud({ stateDir: state.dir });
      client = new DynamoDBClient(restarted.clientConfig());
      try {
        await client.send(new PutItemCommand({ TableName: 'Kept', Item: { pk: { S: 'two' } } }));
        const saved = cloud;
        cloud = restarted;
        try {
          expect((await allRecords(arn)).map((r) => r.dynamodb.Keys.pk.S)).to.deep.equal(['one', 'two']);
        } finally {
          cloud = saved;
        }
      } finally {
        client.destroy();
        await restarted.stop();
      }
    } finally {
      state.cleanup();
    }
  });
});
