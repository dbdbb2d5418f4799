import { createHash } from 'node:crypto';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { CreateUserCommand, CreateAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import { expect } from 'chai';
import type { SqsProvider } from '../../localcloud/services/sqs/index.js';
import { md5OfAttributes } from '../../localcloud/services/sqs/md5.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { rawHttp } from '../support/raw-http.js';
import { waitFor } from '../support/wait.js';

const ACCOUNT = '000000000000';

describe('SQS (SDK v3, JSON protocol)', function () {
  let cloud: TestCloud;
  let sqs: SQSClient;

  before(async () => {
    cloud = await startTestCloud();
    sqs = new SQSClient(cloud.clientConfig());
  });
  after(async () => {
    sqs?.destroy();
    await cloud?.stop();
  });

  const create = async (name: string, Attributes?: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;

  describe('queues', () => {
    it('creates a queue at <endpoint>/<account>/<name>, idempotently with the same attributes', async () => {
      const url = await create('orders', { VisibilityTimeout: '45' });
      expect(url).to.equal(`${cloud.url}/${ACCOUNT}/orders`);
      expect(await create('orders', { VisibilityTimeout: '45' })).to.equal(url);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
      expect(QueueUrl).to.equal(url);
    });

    it('refuses the same name with a different attribute (QueueAlreadyExists, QueueNameExists in JSON)', async () => {
      await create('clash', { DelaySeconds: '5' });
      const error = await expectAwsError(create('clash', { DelaySeconds: '6' }), 'QueueNameExists', 400, /different value for attribute DelaySeconds/);
      expect((error as unknown as { Code: string }).Code).to.equal('QueueAlreadyExists');
    });

    it('refuses invalid names and attribute values with AWS codes', async () => {
      await expectAwsError(create('bad name'), 'InvalidParameterValue', 400, /alphanumeric characters, hyphens, or underscores/);
      await expectAwsError(create('x'.repeat(81)), 'InvalidParameterValue', 400);
      await expectAwsError(create('long', { MessageRetentionPeriod: '59' }), 'InvalidAttributeValue', 400, /MessageRetentionPeriod/);
      await expectAwsError(create('long', { VisibilityTimeout: '43201' }), 'InvalidAttributeValue', 400);
      await expectAwsError(create('long', { ReceiveMessageWaitTimeSeconds: '21' }), 'InvalidAttributeValue', 400);
      await expectAwsError(create('long', { MaximumMessageSize: '1023' }), 'InvalidAttributeValue', 400);
      await expectAwsError(create('long', { Nonsense: '1' } as never), 'InvalidAttributeName', 400, /Nonsense/);
      await expectAwsError(create('long', { ContentBasedDeduplication: 'true' }), 'InvalidAttributeName', 400);
      await expectAwsError(create('long', { Policy: 'not json' }), 'InvalidAttributeValue', 400);
    });

    it('answers QueueDoesNotExist (query code AWS.SimpleQueueService.NonExistentQueue) for a missing queue', async () => {
      const error = await expectAwsError(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })), 'QueueDoesNotExist', 400);
      expect(error).to.be.instanceOf(QueueDoesNotExist);
      expect((error as unknown as { Code: string }).Code).to.equal('AWS.SimpleQueueService.NonExistentQueue');
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.url}/${ACCOUNT}/nope`, MessageBody: 'x' })), 'QueueDoesNotExist', 400);
    });

    it('lists queues by prefix and in pages', async () => {
      for (const name of ['page-a', 'page-b', 'page-c']) await create(name);
      const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-' }));
      expect(all.QueueUrls).to.deep.equal(['a', 'b', 'c'].map((s) => `${cloud.url}/${ACCOUNT}/page-${s}`));
      const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2 }));
      expect(first.QueueUrls).to.have.length(2);
      expect(first.NextToken).to.be.a('string');
      const second = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'page-', MaxResults: 2, NextToken: first.NextToken }));
      expect(second.QueueUrls).to.deep.equal([`${cloud.url}/${ACCOUNT}/page-c`]);
      expect(second.NextToken).to.equal(undefined);
      const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }));
      expect(none.QueueUrls ?? []).to.deep.equal([]);
    });

    it('reports attributes, All and by name, with the computed counts and timestamps', async () => {
      const url = await create('attrs', { DelaySeconds: '0' });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'visible' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 60 }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in flight' }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
      const { Attributes: all } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      expect(all).to.include({
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:attrs`,
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '1',
        ApproximateNumberOfMessagesDelayed: '1',
        VisibilityTimeout: '30',
        MessageRetentionPeriod: '345600',
        DelaySeconds: '0',
        ReceiveMessageWaitTimeSeconds: '0',
        SqsManagedSseEnabled: 'true',
      });
      expect(Number(all!.CreatedTimestamp)).to.be.closeTo(Date.now() / 1000, 120);
      const { Attributes: some } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'DelaySeconds'] }));
      expect(some).to.deep.equal({ QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:attrs`, DelaySeconds: '0' });
      await expectAwsError(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Bogus' as never] })), 'InvalidAttributeName', 400);
    });

    it('sets attributes within their ranges and refuses the rest', async () => {
      const url = await create('settable');
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '120', DelaySeconds: '900' } }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'DelaySeconds'] }));
      expect(Attributes).to.deep.equal({ VisibilityTimeout: '120', DelaySeconds: '900' });
      await expectAwsError(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '901' } })), 'InvalidAttributeValue', 400);
      await expectAwsError(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: 'true' } })), 'InvalidAttributeValue', 400);
    });

    it('deletes a queue', async () => {
      const url = await create('doomed');
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      await expectAwsError(sqs.send(new GetQueueUrlCommand({ QueueName: 'doomed' })), 'QueueDoesNotExist', 400);
    });

    it('tags and untags a queue, at creation and after', async () => {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'iot' } }))).QueueUrl!;
      await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: 'dev', tier: 'a' } }));
      await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['tier'] }));
      const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
      expect(Tags).to.deep.equal({ team: 'iot', env: 'dev' });
    });

    it('writes AddPermission grants into the Policy attribute and removes them by label', async () => {
      const url = await create('shared');
      await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'partner', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
      const policy = JSON.parse((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes!.Policy!);
      expect(policy.Statement).to.deep.equal([
        { Sid: 'partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'SQS:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:shared` },
      ]);
      await expectAwsError(sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'partner', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] })), 'InvalidParameterValue', 400, /Already exists/);
      await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'partner' }));
      const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }));
      expect(after.Attributes?.Policy).to.equal(undefined);
      await expectAwsError(sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'partner' })), 'InvalidParameterValue', 400);
    });
  });

  describe('messages', () => {
    it('sends and receives with the body MD5 and the attributes MD5 of AWS algorithm', async () => {
      const url = await create('messages');
      const MessageAttributes = {
        city: { DataType: 'String', StringValue: 'Zürich' },
        count: { DataType: 'Number', StringValue: '42' },
        blob: { DataType: 'Binary', BinaryValue: Uint8Array.of(0, 1, 2, 255) },
        custom: { DataType: 'String.label', StringValue: 'x' },
      };
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello\r\nworld', MessageAttributes }));
      expect(sent.MD5OfMessageBody).to.equal(createHash('md5').update('hello\r\nworld').digest('hex'));
      // The documented digest of these attributes, computed independently here.
      expect(sent.MD5OfMessageAttributes).to.equal(referenceAttributesMd5(MessageAttributes));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      expect(Messages).to.have.length(1);
      const [message] = Messages!;
      expect(message.MessageId).to.equal(sent.MessageId);
      expect(message.Body).to.equal('hello\r\nworld');
      expect(message.MD5OfMessageAttributes).to.equal(sent.MD5OfMessageAttributes);
      expect(message.MessageAttributes!.blob.BinaryValue).to.deep.equal(Uint8Array.of(0, 1, 2, 255));
      expect(message.MessageAttributes!.city).to.deep.equal({ DataType: 'String', StringValue: 'Zürich' });
      expect(message.Attributes).to.include({ ApproximateReceiveCount: '1', SenderId: ACCOUNT });
      expect(Number(message.Attributes!.SentTimestamp)).to.be.closeTo(Date.now(), 60_000);
      expect(Number(message.Attributes!.ApproximateFirstReceiveTimestamp)).to.be.at.least(Number(message.Attributes!.SentTimestamp));
    });

    it('returns only the message attributes asked for, by name or prefix', async () => {
      const url = await create('selected');
      await sqs.send(new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'b',
        MessageAttributes: { 'geo.lat': { DataType: 'Number', StringValue: '1' }, 'geo.lon': { DataType: 'Number', StringValue: '2' }, other: { DataType: 'String', StringValue: 'o' } },
      }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['geo.*'] }));
      expect(Object.keys(Messages![0].MessageAttributes!).sort()).to.deep.equal(['geo.lat', 'geo.lon']);
      expect(Messages![0].MD5OfMessageAttributes).to.equal(md5OfAttributes({ 'geo.lat': { DataType: 'Number', StringValue: '1' }, 'geo.lon': { DataType: 'Number', StringValue: '2' } }));
    });

    it('refuses bodies with invalid characters, oversized messages and bad attributes', async () => {
      const url = await create('strict', { MaximumMessageSize: '1024' });
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0000 char' })), 'InvalidMessageContents', 400, /Invalid characters/);
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })), 'InvalidParameterValue', 400, /shorter than 1024 bytes/);
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })), 'InvalidParameterValue', 400, /DelaySeconds/);
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: eleven })), 'InvalidParameterValue', 400, /exceeds the allowed maximum \[10\]/);
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })), 'InvalidParameterValue', 400);
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } })), 'InvalidParameterValue', 400);
      await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'InvalidParameterValue', 400);
    });

    it('hides a received message for the visibility timeout and shows it again with a higher receive count', async () => {
      const url = await create('visibility');
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
      const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
      expect(first.Messages).to.have.length(1);
      const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 30, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      expect(second.Messages![0].Attributes).to.deep.equal({ ApproximateReceiveCount: '2' });
      const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(hidden.Messages ?? []).to.deep.equal([]);
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second.Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
      const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(third.Messages![0].Body).to.equal('again');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.Messages![0].ReceiptHandle }));
      await expectAwsError(
        sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: third.Messages![0].ReceiptHandle, VisibilityTimeout: 10 })),
        'MessageNotInflight',
        400,
      );
    });

    it('validates ReceiveMessage parameters', async () => {
      const url = await create('receive-params');
      await expectAwsError(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })), 'InvalidParameterValue', 400, /MaxNumberOfMessages/);
      await expectAwsError(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 0 })), 'InvalidParameterValue', 400);
      await expectAwsError(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })), 'InvalidParameterValue', 400, /WaitTimeSeconds/);
      await expectAwsError(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 43_201 })), 'InvalidParameterValue', 400);
    });

    it('refuses a receipt handle that is not one (ReceiptHandleIsInvalid)', async () => {
      const url = await create('handles');
      await expectAwsError(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })), 'ReceiptHandleIsInvalid', 400, /"garbage" is not a valid receipt handle/);
    });

    it('sends, deletes and changes visibility in batches, with per-entry failures', async () => {
      const url = await create('batches');
      const sent = await sqs.send(new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
          { Id: 'c', MessageBody: 'x', DelaySeconds: 901 },
        ],
      }));
      expect(sent.Successful!.map((e) => e.Id)).to.deep.equal(['a', 'b']);
      expect(sent.Successful![1].MD5OfMessageAttributes).to.equal(md5OfAttributes({ k: { DataType: 'String', StringValue: 'v' } }));
      expect(sent.Failed).to.deep.equal([{ Id: 'c', SenderFault: true, Code: 'InvalidParameterValue', Message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.' }]);
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      expect(Messages).to.have.length(2);
      const changed = await sqs.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: 'x', ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 100 }, { Id: 'y', ReceiptHandle: 'nope', VisibilityTimeout: 1 }],
      }));
      expect(changed.Successful).to.deep.equal([{ Id: 'x' }]);
      expect(changed.Failed![0]).to.include({ Id: 'y', Code: 'ReceiptHandleIsInvalid', SenderFault: true });
      const deleted = await sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }));
      expect(deleted.Successful).to.have.length(2);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      expect(Attributes).to.include({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    });

    it('refuses malformed batches with the batch error codes', async () => {
      const url = await create('bad-batches');
      await expectAwsError(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })), 'EmptyBatchRequest', 400);
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
      await expectAwsError(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })), 'TooManyEntriesInBatchRequest', 400, /You have sent 11/);
      await expectAwsError(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })), 'BatchEntryIdsNotDistinct', 400);
      await expectAwsError(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'no spaces', MessageBody: 'x' }] })), 'InvalidBatchEntryId', 400);
      await expectAwsError(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })), 'EmptyBatchRequest', 400);
    });

    it('purges a queue, once a minute', async () => {
      const url = await create('purged');
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'gone' }));
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).to.deep.equal([]);
      await expectAwsError(sqs.send(new PurgeQueueCommand({ QueueUrl: url })), 'PurgeQueueInProgress', 403, /every 60 seconds/);
    });
  });

  describe('long polling', () => {
    it('waits for a message and wakes as soon as one is sent', async () => {
      const url = await create('long-poll');
      const receive = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
      let settled = false;
      void receive.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(settled, 'the receive waits while the queue is empty').to.equal(false);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
      const { Messages } = await receive;
      expect(Messages![0].Body).to.equal('wake up');
    });

    it('wakes when a delayed message becomes visible', async () => {
      const url = await create('long-poll-delay');
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
      expect(Messages![0].Body).to.equal('later');
    });

    it('returns empty, not hanging, when the cloud stops during a long poll', async () => {
      const own = await startTestCloud();
      const client = new SQSClient(own.clientConfig());
      try {
        const url = (await client.send(new CreateQueueCommand({ QueueName: 'stopping' }))).QueueUrl!;
        const receive = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })).then(
          (r) => r.Messages ?? [],
          (err: Error) => err,
        );
        await new Promise((r) => setTimeout(r, 200));
        await own.stop();
        const result = await receive;
        // Either an empty answer or a closed connection: what matters is that the poll did not hold the stop for 20 s.
        if (Array.isArray(result)) expect(result).to.deep.equal([]);
      } finally {
        client.destroy();
      }
    });

    it('stops waiting when the client disconnects', async () => {
      const url = await create('abandoned');
      const controller = new AbortController();
      const receive = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: controller.signal }).catch(() => undefined);
      const provider = cloud.cloud.context.service<SqsProvider>('sqs')!;
      await waitFor(() => provider.waitingReceives() === 1, 'the long poll to wait');
      controller.abort();
      await receive;
      await waitFor(() => provider.waitingReceives() === 0, 'the server to notice the client left', 10_000);
      // The abandoned poll must not take the next message for nobody.
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next receiver' }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(Messages![0].Body).to.equal('for the next receiver');
    });
  });

  describe('dead-letter queues', () => {
    it('moves a message received maxReceiveCount times to the dead-letter queue, keeping its id', async () => {
      const dlqUrl = await create('dlq');
      const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq`;
      const url = await create('with-dlq', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
      const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
      for (let i = 0; i < 2; i++) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
        expect(Messages).to.have.length(1);
      }
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).to.deep.equal([]);
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }));
      expect(Messages![0]).to.include({ MessageId: sent.MessageId, Body: 'poison' });
      expect(Messages![0].Attributes).to.include({ DeadLetterQueueSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:with-dlq`, ApproximateReceiveCount: '3' });
      const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
      expect(sources.queueUrls).to.deep.equal([url]);
    });

    it('validates redrive policies: target must exist, count 1–1000, allow policy honoured', async () => {
      await expectAwsError(
        create('bad-redrive', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:missing`, maxReceiveCount: 1 }) }),
        'InvalidParameterValue',
        400,
        /Dead letter target does not exist/,
      );
      await create('dlq-2');
      await expectAwsError(
        create('bad-redrive', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq-2`, maxReceiveCount: 0 }) }),
        'InvalidParameterValue',
        400,
        /maxReceiveCount/,
      );
      await create('closed-dlq', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
      await expectAwsError(
        create('bad-redrive', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:closed-dlq`, maxReceiveCount: 3 }) }),
        'InvalidParameterValue',
        400,
        /not allowed/,
      );
      await expectAwsError(create('bad-allow', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue' }) }), 'InvalidParameterValue', 400);
    });
  });

  describe('retention', () => {
    it('drops messages older than MessageRetentionPeriod', async () => {
      const url = await create('short-lived', { MessageRetentionPeriod: '60' });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
      // Age the message instead of waiting a minute: the store is in-process.
      const queue = cloud.cloud.context.service<SqsProvider>('sqs')!.operations.queueOf(url, { accountId: ACCOUNT, region: 'us-east-1', endpoint: cloud.url });
      for (const message of queue.messages) message.sentTimestamp -= 61_000;
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).to.deep.equal([]);
    });
  });

  describe('IAM', () => {
    it('lets another principal in through the queue policy, and only for what it grants', async () => {
      const iam = new IAMClient(cloud.clientConfig());
      await iam.send(new CreateUserCommand({ UserName: 'sender' }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'sender' }))).AccessKey!;
      iam.destroy();
      const url = await create('guarded');
      const asUser = new SQSClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
      try {
        await expectAwsError(asUser.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), 'AccessDenied', 403);
        await sqs.send(new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            Policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/sender` }, Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:guarded` }],
            }),
          },
        }));
        await asUser.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'allowed by the queue policy' }));
        await expectAwsError(asUser.send(new ReceiveMessageCommand({ QueueUrl: url })), 'AccessDenied', 403);
      } finally {
        asUser.destroy();
      }
    });
  });

  describe('persistence', () => {
    it('keeps queues, attributes, tags and messages across a restart with a state directory', async () => {
      const { dir, cleanup } = tempDir();
      try {
        const first = await startTestCloud({ stateDir: dir });
        const client = new SQSClient(first.clientConfig());
        const url = (await client.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '77' }, tags: { a: 'b' } }))).QueueUrl!;
        await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept', MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: Uint8Array.of(9) } } }));
        client.destroy();
        await first.stop();

        const second = await startTestCloud({ stateDir: dir });
        const again = new SQSClient(second.clientConfig());
        try {
          const { QueueUrl } = await again.send(new GetQueueUrlCommand({ QueueName: 'durable' }));
          const { Attributes } = await again.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
          expect(Attributes).to.deep.equal({ VisibilityTimeout: '77' });
          expect((await again.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).to.deep.equal({ a: 'b' });
          const { Messages } = await again.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
          expect(Messages![0].Body).to.equal('kept');
          expect(Messages![0].MessageAttributes!.bin.BinaryValue).to.deep.equal(Uint8Array.of(9));
        } finally {
          again.destroy();
          await second.stop();
        }
      } finally {
        cleanup();
      }
    });
  });

  describe('wire', () => {
    it('answers members of the wrong JSON type with a 400, never a 500', async () => {
      const url = await create('typed');
      const bodies: [string, unknown][] = [
        ['ReceiveMessage', { QueueUrl: url, MessageAttributeNames: 'All' }],
        ['ReceiveMessage', { QueueUrl: url, AttributeNames: 5 }],
        ['ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 'many' }],
        ['GetQueueAttributes', { QueueUrl: url, AttributeNames: { All: true } }],
        ['UntagQueue', { QueueUrl: url, TagKeys: 'a' }],
        ['AddPermission', { QueueUrl: url, Label: 'x', AWSAccountIds: '111122223333', Actions: ['SendMessage'] }],
        ['SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: [] }],
        ['SendMessageBatch', { QueueUrl: url, Entries: 'x' }],
        ['CreateQueue', { QueueName: 'q', Attributes: { DelaySeconds: { n: 1 } } }],
        ['GetQueueUrl', { QueueName: 42 }],
      ];
      for (const [operation, body] of bodies) {
        const response = await rawHttp(cloud.url, {
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` },
          body: JSON.stringify(body),
          sign: { service: 'sqs' },
        });
        expect(response.status, `${operation} ${JSON.stringify(body)}: ${response.body}`).to.equal(400);
      }
    });

    it('sends query-compatible errors: __type is the shape, x-amzn-query-error the query code', async () => {
      const response = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' },
        body: JSON.stringify({ QueueName: 'missing' }),
        sign: { service: 'sqs' },
      });
      expect(response.status).to.equal(400);
      expect(JSON.parse(response.body)).to.deep.equal({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
      expect(response.headers['x-amzn-query-error']).to.equal('AWS.SimpleQueueService.NonExistentQueue;Sender');
    });
  });
});

/**
 * MD5OfMessageAttributes as the SQS developer guide describes it, written
 * out separately from the service's implementation.
 */
function referenceAttributesMd5(attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>): string {
  const parts: Buffer[] = [];
  const withLength = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    withLength(Buffer.from(name));
    withLength(Buffer.from(value.DataType));
    if (value.BinaryValue) {
      parts.push(Buffer.of(2));
      withLength(Buffer.from(value.BinaryValue));
    } else {
      parts.push(Buffer.of(1));
      withLength(Buffer.from(value.StringValue!));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}
