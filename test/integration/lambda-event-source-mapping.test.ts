import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
} from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { assertIncreasing, createStream, putNumbered, readJsonLines, received } from '../fixtures/lambda/streams.js';
import { zipFixture } from '../fixtures/lambda/zip.js';

const ROLE = 'arn:aws:iam::000000000000:role/stream-reader';

describe('Lambda event source mappings (Kinesis)', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let kinesis: KinesisClient;
  let consumer: Buffer;
  let counter = 0;
  const cleanups: Array<() => void> = [];

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    kinesis = new KinesisClient(cloud.clientConfig());
    consumer = await zipFixture('stream-consumer');
    await createExecutionRole(cloud.clientConfig(), 'stream-reader');
  });

  after(async () => {
    lambda?.destroy();
    kinesis?.destroy();
    await cloud?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  /** A stream, a consumer function writing into a fresh directory, and (optionally) a mapping between them. */
  async function pipeline(shards: number, mapping?: Partial<CreateEventSourceMappingCommandInput>) {
    const n = ++counter;
    const { dir, cleanup } = tempDir('lambda-esm-');
    cleanups.push(cleanup);
    const streamArn = await createStream(kinesis, `esm-stream-${n}`, shards);
    const functionName = `esm-consumer-${n}`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: functionName,
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Timeout: 10,
        Code: { ZipFile: consumer },
        Environment: { Variables: { OUT_DIR: dir } },
      }),
    );
    let uuid: string | undefined;
    if (mapping) {
      const created = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: 'TRIM_HORIZON', ...mapping }),
      );
      uuid = created.UUID!;
      await untilState(uuid, 'Enabled');
    }
    return { dir, streamArn, streamName: `esm-stream-${n}`, functionName, uuid: uuid! };
  }

  async function untilState(uuid: string, state: string) {
    return waitFor(async () => {
      const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      return mapping.State === state ? mapping : undefined;
    }, `mapping ${uuid} to be ${state}`);
  }

  it('manages mappings with the fields and states AWS reports', async () => {
    const { streamArn, functionName } = await pipeline(1);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: 'LATEST' }),
    );
    expect(created.$metadata.httpStatusCode).to.equal(202);
    expect(created.UUID).to.match(/^[0-9a-f-]{36}$/);
    expect(created.State).to.equal('Creating');
    expect(created.BatchSize).to.equal(100);
    expect(created.MaximumBatchingWindowInSeconds).to.equal(0);
    expect(created.MaximumRetryAttempts).to.equal(-1);
    expect(created.MaximumRecordAgeInSeconds).to.equal(-1);
    expect(created.BisectBatchOnFunctionError).to.equal(false);
    expect(created.ParallelizationFactor).to.equal(1);
    expect(created.StartingPosition).to.equal('LATEST');
    expect(created.EventSourceArn).to.equal(streamArn);
    expect(created.FunctionArn).to.equal(`arn:aws:lambda:us-east-1:000000000000:function:${functionName}`);
    expect(created.LastModified).to.be.instanceOf(Date);
    expect(created.LastProcessingResult).to.equal('No records processed');
    expect(created.EventSourceMappingArn).to.equal(`arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${created.UUID}`);

    const enabled = await untilState(created.UUID!, 'Enabled');
    expect(enabled.StateTransitionReason).to.equal('User action');
    const byFunction = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    expect(byFunction.EventSourceMappings!.map((m) => m.UUID)).to.deep.equal([created.UUID]);
    const byStream = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: streamArn }));
    expect(byStream.EventSourceMappings!.map((m) => m.UUID)).to.deep.equal([created.UUID]);

    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: 'LATEST' })),
      'ResourceConflictException',
    );
    await expectAwsError(
      lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: `${streamArn}-missing`, StartingPosition: 'LATEST' }),
      ),
      'InvalidParameterValueException',
    );
    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'no-such-function', EventSourceArn: streamArn, StartingPosition: 'LATEST' })),
      'ResourceNotFoundException',
    );
    await expectAwsError(lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 10001 })), 'ValidationException');

    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 500, MaximumRetryAttempts: 3 }));
    expect(updated.State).to.equal('Updating');
    expect(updated.BatchSize).to.equal(500);
    expect((await untilState(created.UUID!, 'Enabled')).MaximumRetryAttempts).to.equal(3);

    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    expect(deleted.State).to.equal('Deleting');
    await waitFor(
      () => lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })).then(() => false, (err) => (err as Error).name === 'ResourceNotFoundException'),
      'the mapping to be gone',
    );
  });

  it('delivers 1,000 records from 2 shards exactly once, in order per shard, retrying failed batches', async () => {
    const { dir, streamName, uuid } = await pipeline(2, { BatchSize: 50 });
    // Every 97th record makes the first attempt of its batch fail.
    await putNumbered(kinesis, streamName, 0, 1000, (i) => (i % 97 === 0 ? { failOnce: true } : {}));
    await waitFor(() => received(dir).length >= 1000, '1,000 records to arrive', 60_000);
    await new Promise((r) => setTimeout(r, 300)); // anything redelivered would show up now

    const records = received(dir);
    expect(records).to.have.length(1000);
    expect(new Set(records.map((r) => r.i)).size).to.equal(1000);
    const shards = new Map<string, string[]>();
    for (const r of records) shards.set(r.shardId, [...(shards.get(r.shardId) ?? []), r.sequenceNumber]);
    expect(shards.size).to.equal(2);
    for (const [shard, sequence] of shards) expect(assertIncreasing(sequence), `order in ${shard}`).to.equal(true);
    // Per partition key, records arrive in the order they were put.
    for (let key = 0; key < 16; key++) {
      const order = records.filter((r) => r.i % 16 === key).map((r) => r.i);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    }
    const retried = readdirSync(dir).filter((f) => f.startsWith('failed-'));
    expect(retried.length).to.be.greaterThan(0);

    const sample = JSON.parse(readFileSync(path.join(dir, 'event-sample.json'), 'utf8'));
    expect(Object.keys(sample)).to.deep.equal(['kinesis', 'eventSource', 'eventVersion', 'eventID', 'eventName', 'invokeIdentityArn', 'awsRegion', 'eventSourceARN']);
    expect(Object.keys(sample.kinesis)).to.deep.equal(['kinesisSchemaVersion', 'partitionKey', 'sequenceNumber', 'data', 'approximateArrivalTimestamp']);
    expect(sample.kinesis.kinesisSchemaVersion).to.equal('1.0');
    expect(sample.kinesis.partitionKey).to.match(/^pk-\d+$/);
    expect(JSON.parse(Buffer.from(sample.kinesis.data, 'base64').toString())).to.have.property('i');
    expect(sample.kinesis.approximateArrivalTimestamp).to.be.a('number').within(Date.now() / 1000 - 120, Date.now() / 1000 + 1);
    expect(sample.eventSource).to.equal('aws:kinesis');
    expect(sample.eventVersion).to.equal('1.0');
    expect(sample.eventID).to.equal(`${sample.eventID.split(':')[0]}:${sample.kinesis.sequenceNumber}`);
    expect(sample.eventID).to.match(/^shardId-\d{12}:\d+$/);
    expect(sample.eventName).to.equal('aws:kinesis:record');
    expect(sample.invokeIdentityArn).to.equal(ROLE);
    expect(sample.awsRegion).to.equal('us-east-1');
    expect(sample.eventSourceARN).to.equal(`arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`);

    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    expect(mapping.LastProcessingResult).to.equal('OK');
  });

  it('respects BatchSize and MaximumBatchingWindowInSeconds', async () => {
    const { dir, streamName } = await pipeline(1, { BatchSize: 7, MaximumBatchingWindowInSeconds: 1 });
    const started = Date.now();
    await putNumbered(kinesis, streamName, 0, 3);
    await waitFor(() => received(dir).length >= 3, 'the first batch');
    // Three records never fill a batch of 7: they wait for the window to close.
    expect(Date.now() - started).to.be.at.least(900);
    await putNumbered(kinesis, streamName, 3, 40);
    await waitFor(() => received(dir).length >= 40, 'all records');
    const batches = readJsonLines<number[]>(path.join(dir, 'attempts.jsonl'));
    expect(Math.max(...batches.map((b) => b.length))).to.equal(7);
  });

  it('gives up on a poison batch after MaximumRetryAttempts and moves on', async () => {
    const { dir, streamName } = await pipeline(1, { BatchSize: 10, MaximumRetryAttempts: 2 });
    await putNumbered(kinesis, streamName, 0, 30, (i) => (i === 12 ? { failAlways: true } : {}));
    await waitFor(() => received(dir).some((r) => r.i === 29), 'records after the poison batch');
    const delivered = received(dir).map((r) => r.i);
    // The batch with record 12 (records 10..19) is attempted 3 times, then skipped.
    expect(delivered).to.deep.equal([...Array(10).keys(), ...Array.from({ length: 10 }, (_, k) => 20 + k)]);
    const attempts = readJsonLines<number[]>(path.join(dir, 'attempts.jsonl')).filter((b) => b.includes(12));
    expect(attempts).to.have.length(3);
  });

  it('bisects a failing batch to isolate the poison record', async () => {
    const { dir, streamName } = await pipeline(1, { BatchSize: 8, MaximumRetryAttempts: 0, BisectBatchOnFunctionError: true });
    await putNumbered(kinesis, streamName, 0, 8, (i) => (i === 5 ? { failAlways: true } : {}));
    await waitFor(() => received(dir).length >= 7, 'the healthy records');
    await new Promise((r) => setTimeout(r, 300));
    expect(received(dir).map((r) => r.i)).to.deep.equal([0, 1, 2, 3, 4, 6, 7]);
  });

  it('pauses a disabled mapping and resumes where it stopped', async () => {
    const { dir, streamName, uuid } = await pipeline(1, { BatchSize: 100 });
    await putNumbered(kinesis, streamName, 0, 5);
    await waitFor(() => received(dir).length >= 5, 'the first records');
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    await untilState(uuid, 'Disabled');
    await putNumbered(kinesis, streamName, 5, 10);
    await new Promise((r) => setTimeout(r, 700));
    expect(received(dir)).to.have.length(5);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    await waitFor(() => received(dir).length >= 10, 'the records put while disabled');
    expect(received(dir).map((r) => r.i)).to.deep.equal([...Array(10).keys()]);
  });

  it('follows a resharded stream: the parent shard first, then its children', async () => {
    const { dir, streamName } = await pipeline(1, { BatchSize: 10 });
    await putNumbered(kinesis, streamName, 0, 30);
    await waitFor(() => received(dir).length >= 30, 'records of the parent shard');
    const [parent] = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards!;
    await kinesis.send(
      new SplitShardCommand({ StreamName: streamName, ShardToSplit: parent.ShardId, NewStartingHashKey: (2n ** 127n).toString() }),
    );
    await waitFor(async () => {
      const { StreamDescriptionSummary: s } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      return s?.StreamStatus === 'ACTIVE';
    }, 'the split to finish');
    await putNumbered(kinesis, streamName, 30, 60);
    await waitFor(() => received(dir).length >= 60, 'records of the child shards', 30_000);
    const records = received(dir);
    expect(records).to.have.length(60);
    expect(new Set(records.map((r) => r.shardId)).size).to.equal(3);
    for (let key = 0; key < 16; key++) {
      const order = records.filter((r) => r.i % 16 === key).map((r) => r.i);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    }
  });

  it('starts AT_TIMESTAMP: only records that arrived from then on', async () => {
    const { dir, streamArn, streamName, functionName } = await pipeline(1);
    await putNumbered(kinesis, streamName, 0, 5);
    await new Promise((r) => setTimeout(r, 50));
    const from = new Date();
    await new Promise((r) => setTimeout(r, 50));
    await putNumbered(kinesis, streamName, 5, 8);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: from }),
    );
    expect(created.StartingPositionTimestamp?.getTime()).to.be.closeTo(from.getTime(), 1000);
    await untilState(created.UUID!, 'Enabled');
    await putNumbered(kinesis, streamName, 8, 10);
    await waitFor(() => received(dir).length >= 5, 'records from the timestamp on');
    await new Promise((r) => setTimeout(r, 300));
    expect(received(dir).map((r) => r.i)).to.deep.equal([5, 6, 7, 8, 9]);
  });

  it('starts at LATEST: records put before the mapping are not delivered', async () => {
    const { dir, streamArn, streamName, functionName } = await pipeline(1);
    await putNumbered(kinesis, streamName, 0, 5);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: 'LATEST' }),
    );
    await untilState(created.UUID!, 'Enabled');
    await putNumbered(kinesis, streamName, 5, 8);
    await waitFor(() => received(dir).length >= 3, 'records put after the mapping');
    await new Promise((r) => setTimeout(r, 300));
    expect(received(dir).map((r) => r.i)).to.deep.equal([5, 6, 7]);
    expect(existsSync(path.join(dir, 'received.jsonl'))).to.equal(true);
  });
});
