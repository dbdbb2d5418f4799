import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { waitFor } from '../support/wait.js';

/**
 * Services delivering to each other through their public APIs, as on AWS:
 * S3 event notifications to a queue and to a topic, CloudWatch alarm actions
 * to a topic, each topic fanning out to a queue the test reads.
 */
describe('Wiring between services (S3, CloudWatch → SNS → SQS)', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let s3: S3Client;
  let sqs: SQSClient;
  let sns: SNSClient;
  let cw: CloudWatchClient;

  before(async () => {
    cloud = await startTestCloud();
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    sqs = new SQSClient(cloud.clientConfig());
    sns = new SNSClient(cloud.clientConfig());
    cw = new CloudWatchClient(cloud.clientConfig());
  });

  after(async () => {
    for (const client of [s3, sqs, sns, cw]) client?.destroy();
    await cloud?.stop();
  });

  /** A queue whose policy lets `service` send to it on behalf of `sourceArn` (as AWS requires). */
  async function queue(name: string, service: string, sourceArn: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const arn = Attributes!.QueueArn!;
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnLike: { 'aws:SourceArn': sourceArn } } }],
    };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
    return { url: QueueUrl!, arn };
  }

  /** A topic with a queue subscribed to it (SNS's JSON envelope, not raw). */
  async function topicIntoQueue(name: string): Promise<{ topicArn: string; queueUrl: string }> {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const target = await queue(`${name}-inbox`, 'sns.amazonaws.com', TopicArn!);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: target.arn }));
    return { topicArn: TopicArn!, queueUrl: target.url };
  }

  /** The next message body in the queue (deleted once read). */
  async function next(url: string): Promise<string> {
    return waitFor(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
      const message = Messages?.[0];
      if (!message) return undefined;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
      return message.Body!;
    }, `a message in ${url}`);
  }

  function expectObjectCreated(message: Record<string, any>, bucket: string, key: string, configurationId: string) {
    expect(message.Records).to.have.length(1);
    const record = message.Records[0];
    expect(record).to.include({ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventName: 'ObjectCreated:Put' });
    expect(record.s3).to.deep.include({ s3SchemaVersion: '1.0', configurationId });
    expect(record.s3.bucket).to.include({ name: bucket, arn: `arn:aws:s3:::${bucket}` });
    expect(record.s3.object).to.include({ key, size: 5 });
  }

  it('S3 notifies a queue: an s3:TestEvent when configured, then an ObjectCreated record', async () => {
    const bucket = 'wired-to-queue';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const target = await queue('s3-events', 's3.amazonaws.com', `arn:aws:s3:::${bucket}`);
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { QueueConfigurations: [{ Id: 'to-queue', QueueArn: target.arn, Events: ['s3:ObjectCreated:*'] }] },
      }),
    );
    const test = JSON.parse(await next(target.url));
    expect(test).to.include({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket });

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/a b.txt', Body: 'hello' }));
    expectObjectCreated(JSON.parse(await next(target.url)), bucket, 'in/a+b.txt', 'to-queue');
  });

  it('S3 notifies a topic, which fans out to a queue', async () => {
    const bucket = 'wired-to-topic';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { topicArn, queueUrl } = await topicIntoQueue('s3-topic');
    const topicPolicy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sns:Publish', Resource: topicArn, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } } },
      ],
    };
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(topicPolicy) }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { TopicConfigurations: [{ Id: 'to-topic', TopicArn: topicArn, Events: ['s3:ObjectCreated:Put'] }] },
      }),
    );
    const test = JSON.parse(await next(queueUrl));
    expect(test).to.include({ Type: 'Notification', TopicArn: topicArn, Subject: 'Amazon S3 Notification' });
    expect(JSON.parse(test.Message)).to.include({ Event: 's3:TestEvent', Bucket: bucket });

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'b.txt', Body: 'hello' }));
    const envelope = JSON.parse(await next(queueUrl));
    expect(envelope).to.include({ Type: 'Notification', TopicArn: topicArn });
    expectObjectCreated(JSON.parse(envelope.Message), bucket, 'b.txt', 'to-topic');
  });

  it('a CloudWatch alarm action publishes the alarm notification to a topic, which reaches a queue', async () => {
    const { topicArn, queueUrl } = await topicIntoQueue('alarms');
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'too-hot',
        AlarmDescription: 'temperature above 50',
        Namespace: 'Wiring/Test',
        MetricName: 'Temperature',
        Dimensions: [{ Name: 'Sensor', Value: 's1' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [topicArn],
      }),
    );
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'Wiring/Test',
        MetricData: [{ MetricName: 'Temperature', Dimensions: [{ Name: 'Sensor', Value: 's1' }], Value: 90, Timestamp: new Date() }],
      }),
    );
    const envelope = JSON.parse(await next(queueUrl));
    expect(envelope).to.include({ Type: 'Notification', TopicArn: topicArn, Subject: 'ALARM: "too-hot" in us-east-1' });
    const message = JSON.parse(envelope.Message);
    expect(message).to.include({
      AlarmName: 'too-hot',
      AlarmDescription: 'temperature above 50',
      AWSAccountId: '000000000000',
      NewStateValue: 'ALARM',
      OldStateValue: 'INSUFFICIENT_DATA',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:too-hot',
    });
    expect(message.NewStateReason).to.match(/^Threshold Crossed/);
    expect(Date.parse(message.StateChangeTime)).to.not.be.NaN;
    expect(message.Trigger).to.deep.include({
      MetricName: 'Temperature',
      Namespace: 'Wiring/Test',
      Statistic: 'MAXIMUM',
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 50,
      Dimensions: [{ value: 's1', name: 'Sensor' }],
    });
  });
});
