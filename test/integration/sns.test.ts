import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand as AddTopicPermissionCommand,
  ConfirmSubscriptionCommand,
  RemovePermissionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import type { SnsProvider } from '../../localcloud/services/sns/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { zipFiles } from '../fixtures/lambda/zip.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/** Appends each event it gets to $OUT_DIR/events.jsonl. */
const RECORDER = `
const fs = require('fs');
const path = require('path');
exports.handler = async (event) => {
  fs.appendFileSync(path.join(process.env.OUT_DIR, 'events.jsonl'), JSON.stringify(event) + '\\n');
  return {};
};`;

/** A queue policy letting SNS send from one topic, as AWS requires before it delivers. */
const queuePolicy = (queueArn: string, topicArn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }],
  });

describe('SNS', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let sns: SNSClient;
  let sqs: SQSClient;
  let counter = 0;
  const logs: string[] = [];

  before(async () => {
    cloud = await startTestCloud({ log: (line) => logs.push(line) });
    sns = new SNSClient(cloud.clientConfig());
    sqs = new SQSClient(cloud.clientConfig());
  });
  after(async () => {
    sns?.destroy();
    sqs?.destroy();
    await cloud?.stop();
  });

  const settled = () => cloud.cloud.context.service<SnsProvider>('sns')!.deliveriesSettled();

  async function topic(name = `topic-${++counter}`, attributes?: Record<string, string>) {
    return (await sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
  }

  /** A queue that lets `topicArn` send to it (unless `allow` is false), subscribed to it. */
  async function subscribedQueue(topicArn: string, options: { attributes?: Record<string, string>; allow?: boolean; fifo?: boolean } = {}) {
    const name = `queue-${++counter}${options.fifo ? '.fifo' : ''}`;
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    const queueAttributes: Record<string, string> = options.fifo ? { FifoQueue: 'true' } : {};
    if (options.allow !== false) queueAttributes.Policy = queuePolicy(arn, topicArn);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: queueAttributes }))).QueueUrl!;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arn, Attributes: options.attributes }));
    return { url, arn, subscriptionArn: SubscriptionArn! };
  }

  async function receiveAll(url: string) {
    await settled();
    const bodies: { body: string; attributes: Record<string, any> }[] = [];
    for (;;) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
      if (!Messages?.length) return bodies;
      for (const m of Messages) bodies.push({ body: m.Body!, attributes: m.MessageAttributes ?? {} });
    }
  }

  describe('topics', () => {
    it('creates topics idempotently, lists them and reports their attributes', async () => {
      const arn = await topic('alarms', { DisplayName: 'Alarms' });
      expect(arn).to.equal(`arn:aws:sns:${REGION}:${ACCOUNT}:alarms`);
      expect(await topic('alarms', { DisplayName: 'Alarms' })).to.equal(arn);
      await expectAwsError(sns.send(new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Other' } })), 'InvalidParameterException', 400, /different attributes/);
      const { Topics } = await sns.send(new ListTopicsCommand({}));
      expect(Topics!.map((t) => t.TopicArn)).to.include(arn);
      const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      expect(Attributes).to.include({ TopicArn: arn, Owner: ACCOUNT, DisplayName: 'Alarms', SubscriptionsConfirmed: '0', SubscriptionsPending: '0', SubscriptionsDeleted: '0' });
      expect(JSON.parse(Attributes!.Policy!).Statement[0].Resource).to.equal(arn);
      expect(JSON.parse(Attributes!.EffectiveDeliveryPolicy!)).to.have.property('http');
    });

    it('pages ListTopics with NextToken', async () => {
      for (let i = 0; i < 105; i++) await topic(`paged-${String(i).padStart(3, '0')}`);
      const first = await sns.send(new ListTopicsCommand({}));
      expect(first.Topics).to.have.length(100);
      expect(first.NextToken).to.be.a('string');
      const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
      expect(second.NextToken).to.equal(undefined);
      const all = [...first.Topics!, ...second.Topics!].map((t) => t.TopicArn);
      expect(new Set(all).size).to.equal(all.length);
      expect(all.filter((a) => a!.includes(':paged-'))).to.have.length(105);
    });

    it('tags topics and refuses bad names, unknown topics and unknown attributes', async () => {
      const arn = await topic();
      await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'iot' }] }));
      expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).to.deep.equal([{ Key: 'team', Value: 'iot' }]);
      await expectAwsError(sns.send(new CreateTopicCommand({ Name: 'bad name!' })), 'InvalidParameterException', 400);
      await expectAwsError(sns.send(new CreateTopicCommand({ Name: 'plain.fifo' })), 'InvalidParameterException', 400);
      await expectAwsError(sns.send(new CreateTopicCommand({ Name: 'x', Attributes: { Colour: 'red' } })), 'InvalidParameterException', 400);
      await expectAwsError(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: '{"Statement":[{"Effect":"Maybe"}]}' })), 'InvalidParameterException', 400, /Policy/);
      await expectAwsError(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'FifoTopic', AttributeValue: 'true' })), 'InvalidParameterException', 400, /AttributeName/);
      await expectAwsError(sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:missing` })), 'NotFoundException', 404);
      await expectAwsError(sns.send(new ListTagsForResourceCommand({ ResourceArn: `arn:aws:sns:${REGION}:${ACCOUNT}:missing` })), 'ResourceNotFoundException', 404);
      await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), 'NotFoundException', 404);
    });
  });

  describe('Publish input', () => {
    it('refuses oversized messages, bad subjects and malformed message attributes with SNS errors', async () => {
      const arn = await topic();
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x'.repeat(262_145) })), 'InvalidParameterException', 400, /too long/);
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', Subject: 'two\nlines' })), 'InvalidParameterException', 400, /Subject/);
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, Message: '' })), 'InvalidParameterException', 400, /Empty message/);
      await expectAwsError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { a: { DataType: 'Colour', StringValue: 'red' } } })),
        'InvalidParameterValueException',
        400,
        /supported type prefixes/,
      );
      await expectAwsError(
        sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { a: { DataType: 'String', StringValue: '' } } })),
        'InvalidParameterValueException',
        400,
        /non-empty message attribute value/,
      );
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'ten' } } })), 'InvalidParameterValueException', 400, /number/);
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x', MessageGroupId: 'g' })), 'InvalidParameterException', 400, /MessageGroupId/);
      await expectAwsError(sns.send(new PublishCommand({ TargetArn: `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint/GCM/app/1`, Message: 'x' })), 'InvalidParameterException', 400, /TargetArn/);
    });
  });

  describe('delivery to SQS', () => {
    it('sends the SNS envelope to a subscribed queue whose policy allows the topic', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn);
      const { MessageId } = await sns.send(
        new PublishCommand({ TopicArn: arn, Subject: 'hello', Message: 'world', MessageAttributes: { colour: { DataType: 'String', StringValue: 'blue' } } }),
      );
      const [received] = await receiveAll(q.url);
      const envelope = JSON.parse(received.body);
      expect(envelope).to.include({ Type: 'Notification', MessageId, TopicArn: arn, Subject: 'hello', Message: 'world', SignatureVersion: '1' });
      expect(envelope.MessageAttributes).to.deep.equal({ colour: { Type: 'String', Value: 'blue' } });
      for (const field of ['Timestamp', 'Signature', 'SigningCertURL', 'UnsubscribeURL']) expect(envelope[field], field).to.be.a('string');
      // A queue subscription is not removed by an unsigned visit to its UnsubscribeURL.
      expect((await fetch(envelope.UnsubscribeURL)).status).to.equal(403);
      const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      expect(subs.Subscriptions).to.deep.equal([{ SubscriptionArn: q.subscriptionArn, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: q.arn, TopicArn: arn }]);
    });

    it('sends the raw message, attributes as SQS attributes, with RawMessageDelivery', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn, { attributes: { RawMessageDelivery: 'true' } });
      await sns.send(new PublishCommand({ TopicArn: arn, Message: '{"raw":true}', MessageAttributes: { n: { DataType: 'Number', StringValue: '42' } } }));
      const [received] = await receiveAll(q.url);
      expect(received.body).to.equal('{"raw":true}');
      expect(received.attributes.n).to.include({ DataType: 'Number', StringValue: '42' });
    });

    it('does not deliver to a queue whose policy does not allow the topic', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn, { allow: false });
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'dropped' }));
      expect(await receiveAll(q.url)).to.deep.equal([]);
      expect(logs.some((line) => line.includes(MessageId!) && line.includes('does not allow sns.amazonaws.com') || line.includes(MessageId!) && line.includes('no resource policy'))).to.equal(true);
    });

    it('moves undeliverable messages to the RedrivePolicy dead-letter queue', async () => {
      const arn = await topic();
      const dlq = await subscribedQueue(arn); // a queue SNS may send to; its own subscription is removed below
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: dlq.subscriptionArn }));
      const q = await subscribedQueue(arn, { allow: false, attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } });
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'undeliverable' }));
      expect(await receiveAll(q.url)).to.deep.equal([]);
      const [dead] = await receiveAll(dlq.url);
      expect(JSON.parse(dead.body)).to.include({ MessageId, Message: 'undeliverable' });
      await expectAwsError(
        sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.subscriptionArn, AttributeName: 'RedrivePolicy', AttributeValue: '{"deadLetterTargetArn":"nope"}' })),
        'InvalidParameterException',
        400,
      );
    });

    it('sends per-protocol messages with MessageStructure=json', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn, { attributes: { RawMessageDelivery: 'true' } });
      await sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ default: 'generic', sqs: 'for queues' }) }));
      expect((await receiveAll(q.url)).map((m) => m.body)).to.deep.equal(['for queues']);
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: '{"sqs":"x"}' })), 'InvalidParameterException', 400, /No default entry/);
    });

    it('stops delivering after Unsubscribe and counts the deleted subscription', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn);
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: q.subscriptionArn }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'after' }));
      expect(await receiveAll(q.url)).to.deep.equal([]);
      expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.SubscriptionsDeleted).to.equal('1');
    });
  });

  describe('filter policies', () => {
    async function filtered(policy: object, scope?: 'MessageBody') {
      const arn = await topic();
      const q = await subscribedQueue(arn, { attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(policy), ...(scope ? { FilterPolicyScope: scope } : {}) } });
      return { arn, q };
    }

    it('matches message attributes: exact, prefix, anything-but, numeric ranges, exists, equals-ignore-case, $or', async () => {
      const { arn, q } = await filtered({
        kind: ['temperature', { prefix: 'hum' }],
        level: [{ numeric: ['>=', 10, '<', 20] }],
        site: [{ 'anything-but': ['lab', 'test'] }],
        $or: [{ owner: [{ exists: true }] }, { colour: [{ 'equals-ignore-case': 'RED' }] }],
      });
      const send = (message: string, attributes: Record<string, [string, string]>) =>
        sns.send(new PublishCommand({ TopicArn: arn, Message: message, MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, [t, v]]) => [k, { DataType: t, StringValue: v }])) }));
      await send('match-1', { kind: ['String', 'temperature'], level: ['Number', '10'], site: ['String', 'plant'], owner: ['String', 'x'] });
      await send('match-2', { kind: ['String', 'humidity'], level: ['Number', '19.5'], site: ['String', 'plant'], colour: ['String', 'red'] });
      await send('no-level', { kind: ['String', 'temperature'], level: ['Number', '20'], site: ['String', 'plant'], owner: ['String', 'x'] });
      await send('no-site', { kind: ['String', 'temperature'], level: ['Number', '12'], site: ['String', 'lab'], owner: ['String', 'x'] });
      await send('no-or', { kind: ['String', 'temperature'], level: ['Number', '12'], site: ['String', 'plant'] });
      await send('no-kind', { kind: ['String', 'pressure'], level: ['Number', '12'], site: ['String', 'plant'], owner: ['String', 'x'] });
      await send('array', { kind: ['String.Array', '["pressure","temperature"]'], level: ['Number', '12'], site: ['String', 'plant'], owner: ['String', 'x'] });
      expect((await receiveAll(q.url)).map((m) => m.body).sort()).to.deep.equal(['array', 'match-1', 'match-2']);
    });

    it('matches nested keys of the message body with FilterPolicyScope=MessageBody', async () => {
      const { arn, q } = await filtered({ device: { type: ['sensor'], reading: { value: [{ numeric: ['>', 100] }] } }, alert: [{ exists: false }] }, 'MessageBody');
      const send = (body: unknown) => sns.send(new PublishCommand({ TopicArn: arn, Message: typeof body === 'string' ? body : JSON.stringify(body) }));
      await send({ id: 1, device: { type: 'sensor', reading: { value: 150 } } });
      await send({ id: 2, device: { type: 'sensor', reading: { value: 50 } } });
      await send({ id: 3, device: { type: 'sensor', reading: { value: 150 } }, alert: true });
      await send({ id: 4, device: { type: ['gateway', 'sensor'], reading: { value: 101 } } });
      await send('not json');
      expect((await receiveAll(q.url)).map((m) => JSON.parse(m.body).id).sort()).to.deep.equal([1, 4]);
    });

    it('refuses policies beyond AWS limits and malformed ones', async () => {
      const arn = await topic();
      const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:any`;
      const subscribe = (policy: string) => sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { FilterPolicy: policy } }));
      await expectAwsError(subscribe(JSON.stringify({ a: ['1'], b: ['1'], c: ['1'], d: ['1'], e: ['1'], f: ['1'] })), 'InvalidParameterException', 400, /more than 5 keys/);
      const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
      await expectAwsError(subscribe(JSON.stringify({ a: values(10), b: values(10), c: values(2) })), 'InvalidParameterException', 400, /too complex/);
      await expectAwsError(subscribe('{not json'), 'InvalidParameterException', 400, /FilterPolicy/);
      await expectAwsError(subscribe(JSON.stringify({ a: [{ wildcard: 'x' }] })), 'InvalidParameterException', 400, /Unrecognized match type/);
      await expectAwsError(subscribe(JSON.stringify({ a: [{ numeric: ['>', 'x'] }] })), 'InvalidParameterException', 400);
    });

    it('applies a filter policy set later with SetSubscriptionAttributes', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn, { attributes: { RawMessageDelivery: 'true' } });
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: q.subscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"k":["yes"]}' }));
      const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: q.subscriptionArn }))).Attributes!;
      expect(attrs).to.include({ FilterPolicy: '{"k":["yes"]}', FilterPolicyScope: 'MessageAttributes', RawMessageDelivery: 'true', Protocol: 'sqs', PendingConfirmation: 'false' });
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'in', MessageAttributes: { k: { DataType: 'String', StringValue: 'yes' } } }));
      await sns.send(new PublishCommand({ TopicArn: arn, Message: 'out', MessageAttributes: { k: { DataType: 'String', StringValue: 'no' } } }));
      expect((await receiveAll(q.url)).map((m) => m.body)).to.deep.equal(['in']);
    });
  });

  describe('FIFO topics', () => {
    it('deliver in order per group to FIFO queues and deduplicate', async () => {
      const arn = await topic(`orders-${++counter}.fifo`, { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
      const q = await subscribedQueue(arn, { fifo: true, attributes: { RawMessageDelivery: 'true' } });
      const first = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'one', MessageGroupId: 'g' }));
      expect(first.SequenceNumber).to.match(/^\d{20}$/);
      for (const m of ['two', 'three']) await sns.send(new PublishCommand({ TopicArn: arn, Message: m, MessageGroupId: 'g' }));
      const again = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'one', MessageGroupId: 'g' }));
      expect(again.MessageId).to.equal(first.MessageId);
      expect((await receiveAll(q.url)).map((m) => m.body)).to.deep.equal(['one', 'two', 'three']);
    });

    it('refuse publishes without a group, standard queues, and FIFO queues on standard topics', async () => {
      const fifoTopic = await topic(`strict-${++counter}.fifo`, { FifoTopic: 'true' });
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: fifoTopic, Message: 'x' })), 'InvalidParameterException', 400, /MessageGroupId/);
      await expectAwsError(sns.send(new PublishCommand({ TopicArn: fifoTopic, Message: 'x', MessageGroupId: 'g' })), 'InvalidParameterException', 400, /ContentBasedDeduplication/);
      await expectAwsError(
        sns.send(new SubscribeCommand({ TopicArn: fifoTopic, Protocol: 'sqs', Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:standard` })),
        'InvalidParameterException',
        400,
      );
      const standard = await topic();
      await expectAwsError(
        sns.send(new SubscribeCommand({ TopicArn: standard, Protocol: 'sqs', Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:q.fifo` })),
        'InvalidParameterException',
        400,
        /FIFO SQS Queues can not be subscribed to standard SNS topics/,
      );
    });
  });

  describe('PublishBatch', () => {
    it('publishes up to ten entries and reports per-entry failures', async () => {
      const arn = await topic();
      const q = await subscribedQueue(arn, { attributes: { RawMessageDelivery: 'true' } });
      const result = await sns.send(
        new PublishBatchCommand({
          TopicArn: arn,
          PublishBatchRequestEntries: [
            { Id: 'a', Message: 'first' },
            { Id: 'b', Message: '' },
            { Id: 'c', Message: 'third', MessageAttributes: { n: { DataType: 'Number', StringValue: '7' } } },
          ],
        }),
      );
      expect(result.Successful!.map((s) => s.Id)).to.deep.equal(['a', 'c']);
      expect(result.Failed).to.have.length(1);
      expect(result.Failed![0]).to.include({ Id: 'b', Code: 'InvalidParameter', SenderFault: true });
      expect((await receiveAll(q.url)).map((m) => m.body).sort()).to.deep.equal(['first', 'third']);
    });

    it('refuses empty, oversized and duplicate-id batches with AWS batch errors', async () => {
      const arn = await topic();
      await expectAwsError(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [] })), 'EmptyBatchRequestException', 400);
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: 'x' }));
      await expectAwsError(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: eleven })), 'TooManyEntriesInBatchRequestException', 400);
      await expectAwsError(
        sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: 'same', Message: 'x' }, { Id: 'same', Message: 'y' }] })),
        'BatchEntryIdsNotDistinctException',
        400,
      );
      await expectAwsError(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: 'bad id!', Message: 'x' }] })), 'InvalidBatchEntryIdException', 400);
    });
  });

  describe('delivery to Lambda', () => {
    it('invokes a subscribed function with the SNS event when its policy allows the topic', async () => {
      const lambda = new LambdaClient(cloud.clientConfig());
      const { dir, cleanup } = tempDir('sns-lambda-');
      try {
        await createExecutionRole(cloud.clientConfig(), 'sns-recorder');
        const code = await zipFiles({ 'index.js': RECORDER });
        const fn = await lambda.send(
          new CreateFunctionCommand({ FunctionName: 'sns-recorder', Runtime: 'nodejs22.x', Role: `arn:aws:iam::${ACCOUNT}:role/sns-recorder`, Handler: 'index.handler', Code: { ZipFile: code }, Environment: { Variables: { OUT_DIR: dir } } }),
        );
        const arn = await topic();
        await lambda.send(new AddPermissionCommand({ FunctionName: 'sns-recorder', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: arn }));
        const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: fn.FunctionArn }));
        const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Subject: 's', Message: 'to lambda', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
        const file = path.join(dir, 'events.jsonl');
        const event = await waitFor(() => existsSync(file) && JSON.parse(readFileSync(file, 'utf8').trim().split('\n')[0]), 'the function to be invoked', 60_000);
        const [record] = event.Records;
        expect(record).to.include({ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: SubscriptionArn });
        expect(record.Sns).to.include({ Type: 'Notification', MessageId, TopicArn: arn, Subject: 's', Message: 'to lambda', SignatureVersion: '1' });
        expect(record.Sns.MessageAttributes).to.deep.equal({ a: { Type: 'String', Value: 'b' } });
        for (const field of ['Timestamp', 'Signature', 'SigningCertUrl', 'UnsubscribeUrl']) expect(record.Sns[field], field).to.be.a('string');

        // Another topic: the function policy names only the first one, so SNS may not invoke it.
        const unrelated = await topic();
        await sns.send(new SubscribeCommand({ TopicArn: unrelated, Protocol: 'lambda', Endpoint: fn.FunctionArn }));
        const refused = await sns.send(new PublishCommand({ TopicArn: unrelated, Message: 'not for lambda' }));
        await settled();
        expect(logs.some((line) => line.includes(refused.MessageId!) && line.includes('does not allow sns.amazonaws.com lambda:InvokeFunction'))).to.equal(true);
        expect(readFileSync(file, 'utf8')).not.to.include('not for lambda');
      } finally {
        lambda.destroy();
        cleanup();
      }
    });
  });

  describe('persistence', () => {
    it('keeps topics, attributes and subscriptions across a restart with a state directory', async () => {
      const { dir, cleanup } = tempDir('sns-state-');
      try {
        let persisted = await startTestCloud({ stateDir: dir });
        let client = new SNSClient(persisted.clientConfig());
        const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'kept', Attributes: { DisplayName: 'Kept' }, Tags: [{ Key: 'k', Value: 'v' }] }));
        const { SubscriptionArn } = await client.send(
          new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:kept`, Attributes: { FilterPolicy: '{"a":["b"]}' } }),
        );
        client.destroy();
        await persisted.stop();
        persisted = await startTestCloud({ stateDir: dir });
        client = new SNSClient(persisted.clientConfig());
        try {
          expect((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).to.include({ DisplayName: 'Kept', SubscriptionsConfirmed: '1' });
          expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).to.include({ FilterPolicy: '{"a":["b"]}' });
          expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).to.deep.equal([{ Key: 'k', Value: 'v' }]);
        } finally {
          client.destroy();
          await persisted.stop();
        }
      } finally {
        cleanup();
      }
    });
  });

  describe('IAM', () => {
    it('answers AuthorizationError (403) to a user without sns permissions', async () => {
      const iam = new IAMClient(cloud.clientConfig());
      try {
        await iam.send(new CreateUserCommand({ UserName: 'sns-reader' }));
        await iam.send(new PutUserPolicyCommand({ UserName: 'sns-reader', PolicyName: 'list', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:ListTopics', Resource: '*' }] }) }));
        const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'sns-reader' }))).AccessKey!;
        const reader = new SNSClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
        try {
          await reader.send(new ListTopicsCommand({}));
          await expectAwsError(reader.send(new CreateTopicCommand({ Name: 'not-allowed' })), 'AuthorizationErrorException', 403);
        } finally {
          reader.destroy();
        }
      } finally {
        iam.destroy();
      }
    });

    it('lets another account publish once the topic policy allows it (AddPermission), and not before', async () => {
      const arn = await topic();
      const other = new SNSClient({ ...cloud.clientConfig(), credentials: { accessKeyId: '111111111111', secretAccessKey: 'test' } });
      try {
        await expectAwsError(other.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), 'AuthorizationErrorException', 403);
        await sns.send(new AddTopicPermissionCommand({ TopicArn: arn, Label: 'partner', AWSAccountId: ['111111111111'], ActionName: ['Publish'] }));
        expect((await other.send(new PublishCommand({ TopicArn: arn, Message: 'x' }))).MessageId).to.be.a('string');
        await sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: 'partner' }));
        await expectAwsError(other.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), 'AuthorizationErrorException', 403);
      } finally {
        other.destroy();
      }
    });
  });

  describe('delivery to HTTP endpoints', () => {
    it('confirms through the SubscribeURL and then posts notifications with SNS headers', async () => {
      const received: { headers: http.IncomingHttpHeaders; body: any }[] = [];
      const server = http.createServer((req, res) => {
        let data = '';
        req.on('data', (c) => (data += c));
        req.on('end', async () => {
          const body = JSON.parse(data);
          received.push({ headers: req.headers, body });
          if (body.Type === 'SubscriptionConfirmation') await fetch(body.SubscribeURL);
          res.end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const arn = await topic();
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
        const subscribed = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: endpoint }));
        expect(subscribed.SubscriptionArn).to.equal('pending confirmation');
        await waitFor(async () => (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.SubscriptionsConfirmed === '1', 'the subscription to be confirmed');
        const confirmation = received[0];
        expect(confirmation.headers['x-amz-sns-message-type']).to.equal('SubscriptionConfirmation');
        expect(confirmation.body).to.include({ Type: 'SubscriptionConfirmation', TopicArn: arn });
        expect(confirmation.body.Token).to.be.a('string');
        // ConfirmSubscription with the token works too (and is idempotent).
        const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: confirmation.body.Token }));
        expect(confirmed.SubscriptionArn).to.match(new RegExp(`^${arn}:`));
        await expectAwsError(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'wrong' })), 'InvalidParameterException', 400);

        const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'over http' }));
        await settled();
        const notification = received.find((r) => r.body.Type === 'Notification')!;
        expect(notification.headers).to.include({ 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-message-id': MessageId, 'x-amz-sns-topic-arn': arn, 'x-amz-sns-subscription-arn': confirmed.SubscriptionArn });
        expect(notification.body).to.include({ Message: 'over http', MessageId });

        // The UnsubscribeURL in the message removes an HTTP subscription without a signature, as on AWS.
        const visit = await fetch(notification.body.UnsubscribeURL);
        expect(visit.status).to.equal(200);
        expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes).to.include({ SubscriptionsConfirmed: '0', SubscriptionsDeleted: '1' });
      } finally {
        server.close();
      }
    });

    it('retries a failing endpoint a bounded number of times and delivers raw messages', async () => {
      let attempts = 0;
      const bodies: string[] = [];
      const server = http.createServer((req, res) => {
        let data = '';
        req.on('data', (c) => (data += c));
        req.on('end', () => {
          if (req.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation') {
            bodies.push(data);
            return res.end();
          }
          attempts++;
          if (attempts < 3) {
            res.statusCode = 500;
            return res.end();
          }
          bodies.push(data);
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const arn = await topic();
        const endpoint = `http://localhost:${(server.address() as AddressInfo).port}/`;
        await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: endpoint, Attributes: { RawMessageDelivery: 'true' } }));
        const token = await waitFor(() => bodies.length > 0 && JSON.parse(bodies[0]).Token, 'the confirmation request');
        await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
        await sns.send(new PublishCommand({ TopicArn: arn, Message: 'raw over http' }));
        await settled();
        expect(attempts).to.equal(3);
        expect(bodies.slice(1)).to.deep.equal(['raw over http']);
        // A fourth failure in a row is not retried forever: three attempts, then the message is dropped (and logged).
        attempts = -10;
        const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'lost' }));
        await settled();
        expect(attempts).to.equal(-7);
        expect(logs.some((line) => line.includes(MessageId!) && line.includes('3 attempts failed'))).to.equal(true);
      } finally {
        server.close();
      }
    });

    it('refuses endpoints that are not loopback, and protocols that would leave the machine', async () => {
      const arn = await topic();
      await expectAwsError(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'https', Endpoint: 'https://example.com/hook' })), 'InvalidParameterException', 400, /not a loopback address/);
      await expectAwsError(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' })), 'InvalidParameterException', 400, /not served/);
      await expectAwsError(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'carrier-pigeon', Endpoint: 'x' })), 'InvalidParameterException', 400, /Invalid protocol/);
      await expectAwsError(sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'x' })), 'InvalidParameterException', 400, /SMS/);
    });
  });
});
