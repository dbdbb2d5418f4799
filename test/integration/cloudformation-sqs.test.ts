/**
 * AWS::SQS::Queue and AWS::SQS::QueuePolicy against the real SQS service:
 * Ref and Fn::GetAtt as AWS documents them, redrive policies given as JSON
 * objects, in-place updates, and queue policies that IAM then honours.
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, UpdateStackCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { eventsOf, settledStack } from './cloudformation-support.js';

const ACCOUNT = '000000000000';
const outputsOf = (stack: Stack) => Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

describe('CloudFormation: SQS resources', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let sqs: SQSClient;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    sqs = new SQSClient(cloud.clientConfig());
  });
  after(async () => {
    cfn?.destroy();
    sqs?.destroy();
    await cloud?.stop();
  });

  async function deploy(stackName: string, template: unknown, updating = false): Promise<Stack> {
    const input = { StackName: stackName, TemplateBody: JSON.stringify(template) };
    await cfn.send(updating ? new UpdateStackCommand(input) : new CreateStackCommand(input));
    const stack = await settledStack(cfn, stackName);
    const failures = (await eventsOf(cfn, stackName)).filter((e) => e.ResourceStatus!.endsWith('FAILED')).map((e) => e.ResourceStatusReason);
    expect(stack.StackStatus, failures.join('\n')).to.equal(updating ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE');
    return stack;
  }

  const template = (visibility: number, extraTags: { Key: string; Value: string }[] = []) => ({
    Resources: {
      DeadLetters: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600 } },
      Work: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'cfn-work',
          VisibilityTimeout: visibility,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] }, maxReceiveCount: 3 },
          Tags: [{ Key: 'app', Value: 'iot' }, ...extraTags],
        },
      },
      Ordered: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true, ContentBasedDeduplication: true } },
    },
    Outputs: {
      Ref: { Value: { Ref: 'Work' } },
      Arn: { Value: { 'Fn::GetAtt': ['Work', 'Arn'] } },
      Name: { Value: { 'Fn::GetAtt': ['Work', 'QueueName'] } },
      Url: { Value: { 'Fn::GetAtt': ['Work', 'QueueUrl'] } },
      DlqArn: { Value: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } },
      OrderedName: { Value: { 'Fn::GetAtt': ['Ordered', 'QueueName'] } },
    },
  });

  it('creates queues whose Ref is the URL, with GetAtt Arn, QueueName, QueueUrl and a redrive policy from a JSON object', async () => {
    const outputs = outputsOf(await deploy('queues', template(60)));
    expect(outputs.Ref).to.equal(`${cloud.url}/${ACCOUNT}/cfn-work`);
    expect(outputs.Url).to.equal(outputs.Ref);
    expect(outputs.Arn).to.equal(`arn:aws:sqs:us-east-1:${ACCOUNT}:cfn-work`);
    expect(outputs.Name).to.equal('cfn-work');
    expect(outputs.DlqArn).to.match(new RegExp(`^arn:aws:sqs:us-east-1:${ACCOUNT}:queues-DeadLetters-[A-Za-z0-9]+$`));
    expect(outputs.OrderedName).to.match(/^queues-Ordered-[A-Za-z0-9]+\.fifo$/);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.Ref, AttributeNames: ['All'] }));
    expect(Attributes).to.include({ VisibilityTimeout: '60' });
    expect(JSON.parse(Attributes!.RedrivePolicy!)).to.deep.equal({ deadLetterTargetArn: outputs.DlqArn, maxReceiveCount: 3 });
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: outputs.Ref }))).Tags).to.deep.equal({ app: 'iot' });
  });

  it('updates attributes and tags in place', async () => {
    const outputs = outputsOf(await deploy('queues', template(90, [{ Key: 'tier', Value: 'gold' }]), true));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.Ref, AttributeNames: ['VisibilityTimeout'] }));
    expect(Attributes).to.deep.equal({ VisibilityTimeout: '90' });
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: outputs.Ref }))).Tags).to.deep.equal({ app: 'iot', tier: 'gold' });
  });

  it('applies a queue policy that lets another principal send, and removes it with the stack', async () => {
    const iam = new IAMClient(cloud.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'producer' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'producer' }))).AccessKey!;
    iam.destroy();
    const producer = new SQSClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
    try {
      await deploy('policy', {
        Resources: {
          Inbox: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-inbox' } },
          InboxPolicy: {
            Type: 'AWS::SQS::QueuePolicy',
            Properties: {
              Queues: [{ Ref: 'Inbox' }],
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/producer` }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Inbox', 'Arn'] } }],
              },
            },
          },
        },
      });
      const url = `${cloud.url}/${ACCOUNT}/cfn-inbox`;
      await producer.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'allowed' }));
      await cfn.send(new DeleteStackCommand({ StackName: 'policy' }));
      const gone = await settledStack(cfn, 'policy').catch(() => undefined);
      if (gone) expect(gone.StackStatus).to.equal('DELETE_COMPLETE');
      await expectAwsError(sqs.send(new GetQueueUrlCommand({ QueueName: 'cfn-inbox' })), 'QueueDoesNotExist', 400);
    } finally {
      producer.destroy();
    }
  });

  it('rolls back a queue with an out-of-range attribute, with SQS’s reason', async () => {
    await cfn.send(new CreateStackCommand({
      StackName: 'bad-queue',
      TemplateBody: JSON.stringify({ Resources: { Bad: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 1000 } } } }),
    }));
    const stack = await settledStack(cfn, 'bad-queue');
    expect(stack.StackStatus).to.equal('ROLLBACK_COMPLETE');
    const reasons = (await eventsOf(cfn, 'bad-queue')).map((e) => e.ResourceStatusReason ?? '').join('\n');
    expect(reasons).to.match(/DelaySeconds/);
  });
});
