import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { createStream } from '../fixtures/lambda/streams.js';
import { zipFiles } from '../fixtures/lambda/zip.js';

/**
 * A stream mapping's OnFailure destination: when Lambda gives up on a batch it
 * sends an invocation record (naming the records, not carrying them) to an SQS
 * queue or SNS topic, acting as the function's execution role.
 */
describe('Lambda stream mappings: on-failure destinations', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  let sns: SNSClient;
  let counter = 0;
  const logs: string[] = [];

  before(async () => {
    cloud = await startTestCloud({ log: (line) => logs.push(line) });
    lambda = new LambdaClient(cloud.clientConfig());
    kinesis = new KinesisClient(cloud.clientConfig());
    sqs = new SQSClient(cloud.clientConfig());
    sns = new SNSClient(cloud.clientConfig());
    // Only what the mapping needs: read the stream, write the failure record.
    await createExecutionRole(
      cloud.clientConfig(),
      'on-failure-role',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['kinesis:*', 'dynamodb:*', 'logs:*'], Resource: '*' },
          { Effect: 'Allow', Action: ['sqs:SendMessage', 'sns:Publish'], Resource: '*' },
        ],
      }),
    );
    await createExecutionRole(
      cloud.clientConfig(),
      'on-failure-cannot-send',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kinesis:*', 'logs:*'], Resource: '*' }] }),
    );
  });

  after(async () => {
    for (const client of [lambda, kinesis, sqs, sns]) client?.destroy();
    await cloud?.stop();
  });

  async function failingFunction(role = 'on-failure-role'): Promise<string> {
    const name = `always-throws-${++counter}`;
    const code = await zipFiles({ 'index.mjs': "export const handler = async () => { throw new Error('poison'); };" });
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: `arn:aws:iam::000000000000:role/${role}`,
        Handler: 'index.handler',
        Code: { ZipFile: code },
      }),
    );
    return created.FunctionArn!;
  }

  async function queue(name: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl!, arn: Attributes!.QueueArn! };
  }

  async function poisonBatch(destination: string, role?: string) {
    const functionArn = await failingFunction(role);
    const streamArn = await createStream(kinesis, `poison-${counter}`, 1);
    const mapping = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: functionArn,
        EventSourceArn: streamArn,
        StartingPosition: 'TRIM_HORIZON',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: destination } },
      }),
    );
    expect(mapping.DestinationConfig?.OnFailure?.Destination).to.equal(destination);
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === 'Enabled', 'mapping enabled');
    await kinesis.send(
      new PutRecordsCommand({ StreamName: `poison-${counter}`, Records: [1, 2, 3].map((n) => ({ Data: Buffer.from(`r${n}`), PartitionKey: 'k' })) }),
    );
    return { functionArn, streamArn, uuid: mapping.UUID! };
  }

  async function nextMessage(url: string): Promise<string> {
    return waitFor(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
      return Messages?.[0]?.Body;
    }, 'a message in the queue');
  }

  function expectFailureRecord(record: Record<string, any>, functionArn: string, streamArn: string) {
    expect(record.version).to.equal('1.0');
    expect(Date.parse(record.timestamp)).to.be.a('number').and.not.NaN;
    expect(record.requestContext).to.include({ functionArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 });
    expect(record.requestContext.requestId).to.be.a('string');
    expect(record.responseContext).to.deep.equal({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    const info = record.KinesisBatchInfo;
    expect(info).to.include({ shardId: 'shardId-000000000000', batchSize: 3, streamArn });
    expect(BigInt(info.endSequenceNumber) > BigInt(info.startSequenceNumber)).to.equal(true);
    expect(Date.parse(info.approximateArrivalOfFirstRecord)).to.not.be.NaN;
    expect(Date.parse(info.approximateArrivalOfLastRecord)).to.not.be.NaN;
  }

  it('sends the failure record of a batch whose retries are exhausted to an SQS queue', async () => {
    const target = await queue('stream-failures');
    const { functionArn, streamArn } = await poisonBatch(target.arn);
    expectFailureRecord(JSON.parse(await nextMessage(target.url)), functionArn, streamArn);
  });

  it('publishes the failure record to an SNS topic', async () => {
    const target = await queue('stream-failures-via-topic');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'stream-failures' }));
    // As on AWS, the queue's policy must let the topic send to it.
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: target.arn, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }],
    };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: target.url, Attributes: { Policy: JSON.stringify(policy) } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: target.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const { functionArn, streamArn } = await poisonBatch(TopicArn!);
    expectFailureRecord(JSON.parse(await nextMessage(target.url)), functionArn, streamArn);
  });

  it('acts as the execution role: without sqs:SendMessage the record is not delivered, and that is logged', async () => {
    const target = await queue('stream-failures-denied');
    await poisonBatch(target.arn, 'on-failure-cannot-send');
    const line = await waitFor(() => logs.find((l) => l.includes(`on-failure destination ${target.arn}: delivery failed`)), 'the failed delivery logged');
    expect(line).to.match(/not authorized|AccessDenied/i);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: target.url }));
    expect(Messages ?? []).to.deep.equal([]);
  });

  it('reports a table stream batch with DDBStreamBatchInfo', async () => {
    const dynamodb = new DynamoDBClient(cloud.clientConfig());
    try {
      const target = await queue('table-stream-failures');
      const { TableDescription } = await dynamodb.send(
        new CreateTableCommand({
          TableName: 'poison-table',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      );
      const streamArn = TableDescription!.LatestStreamArn!;
      const functionArn = await failingFunction();
      const mapping = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: functionArn,
          EventSourceArn: streamArn,
          StartingPosition: 'TRIM_HORIZON',
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnFailure: { Destination: target.arn } },
        }),
      );
      await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === 'Enabled', 'mapping enabled');
      await dynamodb.send(new PutItemCommand({ TableName: 'poison-table', Item: { id: { S: 'x' } } }));
      const record = JSON.parse(await nextMessage(target.url));
      expect(record.requestContext).to.include({ functionArn, condition: 'RetryAttemptsExhausted' });
      expect(record).to.not.have.property('KinesisBatchInfo');
      expect(record.DDBStreamBatchInfo).to.include({ batchSize: 1, streamArn });
      expect(record.DDBStreamBatchInfo.startSequenceNumber).to.equal(record.DDBStreamBatchInfo.endSequenceNumber);
    } finally {
      dynamodb.destroy();
    }
  });

  it('refuses a destination that is neither a queue nor a topic, and those it cannot deliver to', async () => {
    const functionArn = await failingFunction();
    const streamArn = await createStream(kinesis, `refused-${counter}`, 1);
    const refused = [
      ['arn:aws:dynamodb:us-east-1:000000000000:table/t', /SQS queue or SNS topic/],
      ['arn:aws:s3:::a-bucket', /S3 buckets/],
      ['arn:aws:sqs:us-east-1:000000000000:q.fifo', /FIFO/],
    ] as const;
    for (const [Destination, message] of refused) {
      await expectAwsError(
        lambda.send(
          new CreateEventSourceMappingCommand({ FunctionName: functionArn, EventSourceArn: streamArn, StartingPosition: 'LATEST', DestinationConfig: { OnFailure: { Destination } } }),
        ),
        'InvalidParameterValueException',
        400,
        message,
      );
    }
    const { uuid } = await poisonBatch((await queue('update-target')).arn);
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', 'mapping settled');
    await expectAwsError(
      lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, DestinationConfig: { OnFailure: { Destination: 'not-an-arn' } } })),
      'InvalidParameterValueException',
      400,
    );
  });
});
