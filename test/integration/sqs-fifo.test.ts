import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const ACCOUNT = '000000000000';

describe('SQS FIFO queues', function () {
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

  const fifo = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...attributes } }))).QueueUrl!;
  const receive = async (url: string, max = 1, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, ...extra }))).Messages ?? [];

  it('needs the .fifo suffix and FifoQueue=true together', async () => {
    await expectAwsError(sqs.send(new CreateQueueCommand({ QueueName: 'plain', Attributes: { FifoQueue: 'true' } })), 'InvalidParameterValue', 400, /\.fifo suffix/);
    const url = await fifo('orders.fifo');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(Attributes).to.include({ FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
  });

  it('requires MessageGroupId and a deduplication id (or content-based deduplication), and refuses per-message delays', async () => {
    const url = await fifo('strict.fifo');
    await expectAwsError(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'MissingParameter', 400, /MessageGroupId/);
    await expectAwsError(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
      'InvalidParameterValue',
      400,
      /ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly/,
    );
    await expectAwsError(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })),
      'InvalidParameterValue',
      400,
      /DelaySeconds/,
    );
  });

  it('deduplicates by MessageDeduplicationId within the window, answering with the first message id', async () => {
    const url = await fifo('dedup.fifo');
    const first = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));
    const again = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'same' }));
    expect(again.MessageId).to.equal(first.MessageId);
    expect(again.SequenceNumber).to.equal(first.SequenceNumber);
    expect(await receive(url, 10)).to.have.length(1);
  });

  it('deduplicates by body with ContentBasedDeduplication', async () => {
    const url = await fifo('content.fifo', { ContentBasedDeduplication: 'true' });
    const a = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g' }));
    const b = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same body', MessageGroupId: 'g' }));
    const c = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'other body', MessageGroupId: 'g' }));
    expect(b.MessageId).to.equal(a.MessageId);
    expect(c.MessageId).to.not.equal(a.MessageId);
  });

  it('delivers each group in order, one in-flight batch per group, with increasing sequence numbers', async () => {
    const url = await fifo('groups.fifo', { ContentBasedDeduplication: 'true' });
    const sent = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: '1', MessageBody: 'g1-a', MessageGroupId: 'g1' },
        { Id: '2', MessageBody: 'g1-b', MessageGroupId: 'g1' },
        { Id: '3', MessageBody: 'g2-a', MessageGroupId: 'g2' },
      ],
    }));
    const sequence = sent.Successful!.map((e) => BigInt(e.SequenceNumber!));
    expect(sequence[0] < sequence[1] && sequence[1] < sequence[2]).to.equal(true);

    const [first] = await receive(url, 1, { MessageSystemAttributeNames: ['All'] });
    expect(first.Body).to.equal('g1-a');
    expect(first.Attributes).to.include({ MessageGroupId: 'g1', SequenceNumber: sent.Successful![0].SequenceNumber });
    // g1 is locked while g1-a is in flight: the next receive skips to g2.
    const [second] = await receive(url);
    expect(second.Body).to.equal('g2-a');
    expect(await receive(url)).to.deep.equal([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    const [third] = await receive(url);
    expect(third.Body).to.equal('g1-b');
  });

  it('keeps a group locked until the in-flight message is deleted or becomes visible again, then redelivers in order', async () => {
    const url = await fifo('redeliver.fifo', { ContentBasedDeduplication: 'true' });
    for (const body of ['1', '2', '3']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'g' }));
    const firstTry = await receive(url, 2, { VisibilityTimeout: 0 });
    expect(firstTry.map((m) => m.Body)).to.deep.equal(['1', '2']);
    const secondTry = await receive(url, 10);
    expect(secondTry.map((m) => m.Body)).to.deep.equal(['1', '2', '3']);
  });

  it('replays a receive retried with the same ReceiveRequestAttemptId', async () => {
    const url = await fifo('attempts.fifo', { ContentBasedDeduplication: 'true' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'only', MessageGroupId: 'g' }));
    const first = await receive(url, 1, { ReceiveRequestAttemptId: 'try-1' });
    const retried = await receive(url, 1, { ReceiveRequestAttemptId: 'try-1' });
    expect(retried).to.deep.equal(first);
    expect(await receive(url, 1, { ReceiveRequestAttemptId: 'try-2' })).to.deep.equal([]);
  });

  it('takes only a FIFO dead-letter queue', async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'standard-dlq' }));
    await expectAwsError(
      fifo('needs-fifo-dlq.fifo', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:standard-dlq`, maxReceiveCount: 1 }) }),
      'InvalidParameterValue',
      400,
      /same type/,
    );
    await fifo('dlq.fifo');
    const url = await fifo('source.fifo', {
      ContentBasedDeduplication: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq.fifo`, maxReceiveCount: 1 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageGroupId: 'g' }));
    expect(await receive(url, 1, { VisibilityTimeout: 0 })).to.have.length(1);
    expect(await receive(url)).to.deep.equal([]);
    const moved = await receive(`${cloud.url}/${ACCOUNT}/dlq.fifo`, 1, { MessageSystemAttributeNames: ['MessageGroupId'] });
    expect(moved[0]).to.include({ Body: 'poison' });
    expect(moved[0].Attributes).to.deep.equal({ MessageGroupId: 'g' });
  });
});
