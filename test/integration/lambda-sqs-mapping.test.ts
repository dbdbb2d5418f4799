import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { zipFiles } from '../fixtures/lambda/zip.js';

const ACCOUNT = '000000000000';

/**
 * A queue consumer: appends each event to $OUT_DIR/events.jsonl; throws when
 * a body says `throw`; with REPORT=1 reports bodies starting `fail` as
 * batch item failures.
 */
const CONSUMER = `
const fs = require('fs');
const path = require('path');
exports.handler = async (event) => {
  fs.appendFileSync(path.join(process.env.OUT_DIR, 'events.jsonl'), JSON.stringify(event) + '\\n');
  if (event.Records.some((r) => r.body === 'throw')) throw new Error('poison message');
  if (process.env.REPORT === '1') {
    return { batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({ itemIdentifier: r.messageId })) };
  }
  return {};
};`;

/** Only what an SQS consumer's role needs, so the mapping works under enforced IAM with least privilege. */
const QUEUE_CONSUMER_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: '*' }],
});

describe('Lambda event source mappings (SQS)', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let code: Buffer;
  let counter = 0;
  const cleanups: Array<() => void> = [];

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    sqs = new SQSClient(cloud.clientConfig());
    code = await zipFiles({ 'index.js': CONSUMER });
    await createExecutionRole(cloud.clientConfig(), 'queue-consumer', QUEUE_CONSUMER_POLICY);
    await createExecutionRole(cloud.clientConfig(), 'no-sqs', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] }));
  });
  after(async () => {
    lambda?.destroy();
    sqs?.destroy();
    await cloud?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  async function consumer(options: { report?: boolean; role?: string; timeout?: number } = {}) {
    const n = ++counter;
    const { dir, cleanup } = tempDir('lambda-sqs-');
    cleanups.push(cleanup);
    const functionName = `queue-consumer-${n}`;
    await lambda.send(new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs22.x',
      Role: `arn:aws:iam::${ACCOUNT}:role/${options.role ?? 'queue-consumer'}`,
      Handler: 'index.handler',
      Timeout: options.timeout ?? 10,
      Code: { ZipFile: code },
      Environment: { Variables: { OUT_DIR: dir, REPORT: options.report ? '1' : '0' } },
    }));
    return { functionName, dir };
  }

  async function queue(name: string, attributes: Record<string, string> = {}) {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    return { url, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
  }

  const events = (dir: string): any[] => {
    const file = path.join(dir, 'events.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];
  };
  const count = async (url: string, name: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible') =>
    Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }))).Attributes![name]);

  it('delivers messages in the SQS event shape and deletes them on success', async () => {
    const { functionName, dir } = await consumer();
    const { url, arn } = await queue('mapped');
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn, ScalingConfig: { MaximumConcurrency: 5 } }));
    expect(created).to.include({ BatchSize: 10, MaximumBatchingWindowInSeconds: 0, EventSourceArn: arn });
    expect(created.ScalingConfig).to.deep.equal({ MaximumConcurrency: 5 });
    expect(created.StartingPosition).to.equal(undefined);
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State === 'Enabled', 'the mapping to be enabled');

    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"reading":1}', MessageAttributes: { sensor: { DataType: 'String', StringValue: 't-1' } } }));
    const [event] = await waitFor(() => (events(dir).length > 0 ? events(dir) : undefined), 'the function to be invoked');
    const [record] = event.Records;
    expect(record).to.include({
      messageId: sent.MessageId,
      body: '{"reading":1}',
      md5OfBody: sent.MD5OfMessageBody,
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: 'us-east-1',
    });
    expect(record.receiptHandle).to.be.a('string');
    expect(record.attributes).to.include({ ApproximateReceiveCount: '1' });
    expect(record.attributes).to.have.keys('ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp');
    expect(record.messageAttributes).to.deep.equal({ sensor: { stringValue: 't-1', stringListValues: [], binaryListValues: [], dataType: 'String' } });
    await waitFor(async () => (await count(url, 'ApproximateNumberOfMessagesNotVisible')) === 0 && (await count(url, 'ApproximateNumberOfMessages')) === 0, 'the message to be deleted');
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
  });

  it('with ReportBatchItemFailures deletes only the messages not reported, and leaves a failed batch in the queue', async () => {
    const { functionName, dir } = await consumer({ report: true });
    const { url, arn } = await queue('partial', { VisibilityTimeout: '30' });
    // Sent before the mapping exists, so they arrive in one batch.
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [{ Id: 'a', MessageBody: 'ok-1' }, { Id: 'b', MessageBody: 'fail-1' }, { Id: 'c', MessageBody: 'ok-2' }],
    }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn, FunctionResponseTypes: ['ReportBatchItemFailures'] }));
    await waitFor(() => events(dir).flatMap((e) => e.Records).length >= 3, 'the batch to be delivered');
    // The reported failure is in flight (visibility timeout), the others are gone.
    await waitFor(async () => (await count(url, 'ApproximateNumberOfMessagesNotVisible')) === 1, 'two messages to be deleted');
    expect(await count(url, 'ApproximateNumberOfMessages')).to.equal(0);
  });

  it('leaves the whole batch when the function fails, and the queue’s redrive moves it to the dead-letter queue', async () => {
    const { functionName, dir } = await consumer({ timeout: 1 });
    const dlq = await queue('mapping-dlq');
    const { url, arn } = await queue('poisoned', { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'throw' }));
    const mapping = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 20 }));
    expect(Messages![0].Body).to.equal('throw');
    // Received twice (maxReceiveCount), failed twice, never deleted: then redriven.
    expect(events(dir)).to.have.length(2);
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
  });

  it('refuses a queue whose visibility timeout is shorter than the function timeout', async () => {
    const { functionName } = await consumer({ timeout: 10 });
    const { arn } = await queue('short-visibility', { VisibilityTimeout: '5' });
    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn })),
      'InvalidParameterValueException',
      400,
      /Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds/,
    );
  });

  it('refuses a mapping whose role may not read the queue, stream settings, and out-of-range batching', async () => {
    const { arn } = await queue('refusals');
    const unauthorized = await consumer({ role: 'no-sqs' });
    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: unauthorized.functionName, EventSourceArn: arn })),
      'InvalidParameterValueException',
      400,
      /does not have permissions to call ReceiveMessage on SQS/,
    );
    const { functionName } = await consumer();
    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn, StartingPosition: 'LATEST' })),
      'InvalidParameterValueException',
      400,
      /StartingPosition is not valid for SQS/,
    );
    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn, BatchSize: 100 })),
      'InvalidParameterValueException',
      400,
      /batch window/,
    );
    await expectAwsError(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:missing` })),
      'InvalidParameterValueException',
      400,
      /NonExistentQueue/,
    );
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn, BatchSize: 100, MaximumBatchingWindowInSeconds: 1 }));
    expect(created.BatchSize).to.equal(100);
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State === 'Enabled', 'enabled');
    await expectAwsError(lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, ParallelizationFactor: 2 })), 'InvalidParameterValueException', 400);
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 5 }));
    expect(updated.BatchSize).to.equal(5);
  });

  it('gathers a batch larger than 10 within the batching window', async () => {
    const { functionName, dir } = await consumer();
    const { url, arn } = await queue('windowed');
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: arn, BatchSize: 25, MaximumBatchingWindowInSeconds: 2 }));
    for (let batch = 0; batch < 3; batch++) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 7 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${batch}-${i}` })) }));
    }
    const all = await waitFor(() => (events(dir).flatMap((e) => e.Records).length >= 21 ? events(dir) : undefined), 'all 21 messages');
    expect(Math.max(...all.map((e) => e.Records.length))).to.be.greaterThan(10);
  });
});
