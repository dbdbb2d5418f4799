import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
} from '@aws-sdk/client-kinesis';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { tempDir } from '../support/cloud.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe('kinesis: enhanced fan-out consumers and SubscribeToShard', function () {
  let cloud: TestCloud;
  let kinesis: KinesisClient;
  let streamArn: string;

  before(async () => {
    cloud = await startTestCloud();
    kinesis = new KinesisClient(cloud.clientConfig());
    await kinesis.send(new CreateStreamCommand({ StreamName: 'fanout', ShardCount: 1 }));
    streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'fanout' }))).StreamDescriptionSummary!.StreamARN!;
  });
  after(async () => {
    kinesis?.destroy();
    await cloud?.stop();
  });

  it('registers, describes, lists and deregisters consumers', async () => {
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'reader' }));
    expect(Consumer!.ConsumerStatus).to.equal('CREATING');
    expect(Consumer!.ConsumerARN).to.match(new RegExp(`^${streamArn.replace(/[/.]/g, '\\$&')}/consumer/reader:\\d+$`));
    expect(Consumer!.ConsumerCreationTimestamp).to.be.instanceOf(Date);

    const byArn = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }));
    expect(byArn.ConsumerDescription).to.include({ ConsumerName: 'reader', ConsumerStatus: 'ACTIVE', StreamARN: streamArn });
    const byName = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'reader' }));
    expect(byName.ConsumerDescription!.ConsumerARN).to.equal(Consumer!.ConsumerARN);
    expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'fanout' }))).StreamDescriptionSummary!.ConsumerCount).to.equal(1);

    await expectAwsError(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'reader' })), 'ResourceInUseException');
    for (let i = 1; i < 20; i++) await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `extra-${i}` }));
    await expectAwsError(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'one-too-many' })), 'LimitExceededException');

    const first = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, MaxResults: 15 }));
    expect(first.Consumers).to.have.length(15);
    const rest = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: first.NextToken }));
    expect(rest.Consumers).to.have.length(5);
    expect(rest.NextToken).to.equal(undefined);

    await expectAwsError(kinesis.send(new DeleteStreamCommand({ StreamName: 'fanout' })), 'ResourceInUseException');
    for (let i = 1; i < 20; i++) await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `extra-${i}` }));
    expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers!.map((c) => c.ConsumerName)).to.deep.equal(['reader']);
    await expectAwsError(kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'extra-1' })), 'ResourceNotFoundException');
  });

  it('streams records over HTTP/2 with SubscribeToShard, and refuses a second subscription within 5 s', async () => {
    const { ConsumerDescription } = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'reader' }));
    const consumerArn = ConsumerDescription!.ConsumerARN!;
    await kinesis.send(new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'a', Data: Buffer.from('before') }));

    const response = await kinesis.send(
      new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }),
    );
    await expectAwsError(
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } })),
      'ResourceInUseException',
    );

    const seen: string[] = [];
    const events: SubscribeToShardEvent[] = [];
    let putLater = false;
    for await (const event of response.EventStream!) {
      const shardEvent = event.SubscribeToShardEvent;
      if (!shardEvent) continue;
      events.push(shardEvent);
      seen.push(...shardEvent.Records!.map((r) => Buffer.from(r.Data!).toString()));
      if (!putLater) {
        putLater = true;
        // Put while subscribed: the record is pushed without the consumer asking.
        await kinesis.send(new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'b', Data: Buffer.from('after') }));
      }
      if (seen.includes('after')) break;
    }
    expect(seen).to.deep.equal(['before', 'after']);
    const last = events.at(-1)!;
    expect(last.ContinuationSequenceNumber).to.equal(last.Records!.at(-1)!.SequenceNumber);
    expect(last.MillisBehindLatest).to.be.a('number');
    expect(last.Records![0].ApproximateArrivalTimestamp).to.be.instanceOf(Date);
  });

  it('answers bad subscriptions with errors before any stream opens', async () => {
    const { ConsumerDescription } = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'reader' }));
    await expectAwsError(
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: `${streamArn}/consumer/ghost:1`, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: ConsumerDescription!.ConsumerARN, ShardId: 'shardId-000000000009', StartingPosition: { Type: 'LATEST' } })),
      'ResourceNotFoundException',
    );
    await expectAwsError(
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: ConsumerDescription!.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'AT_SEQUENCE_NUMBER' } })),
      'InvalidArgumentException',
    );
  });

  it('feeds a Lambda event source mapping whose EventSourceArn is a consumer (under enforced IAM)', async () => {
    const { dir, cleanup } = tempDir('efo-mapping-');
    const lambda = new LambdaClient(cloud.clientConfig());
    try {
      const out = path.join(dir, 'records.jsonl');
      const role = await createExecutionRole(cloud.clientConfig(), 'efo-role');
      const zip = await zipFiles({
        'index.js': "exports.handler = async (e) => { for (const r of e.Records) require('fs').appendFileSync(process.env.OUT, Buffer.from(r.kinesis.data, 'base64').toString() + '\\n'); };",
      });
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'efo', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: zip }, Environment: { Variables: { OUT: out } } }));
      const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'lambda' }));
      await expectAwsError(
        lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'efo', EventSourceArn: `${streamArn}/consumer/ghost:1`, StartingPosition: 'LATEST' })),
        'InvalidParameterValueException',
      );
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'efo', EventSourceArn: Consumer!.ConsumerARN, StartingPosition: 'TRIM_HORIZON', BatchSize: 10 }));
      await kinesis.send(new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'c', Data: Buffer.from('via-consumer') }));
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('via-consumer'), 'the mapping to deliver the record');
    } finally {
      lambda.destroy();
      cleanup();
    }
  });
});
