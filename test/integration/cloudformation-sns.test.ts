/**
 * AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy against
 * the real SNS service: Ref and Fn::GetAtt as AWS documents them, filter
 * policies given as JSON objects, in-place updates, and a topic → queue
 * pipeline that delivers once the stack is up.
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, UpdateStackCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import type { SnsProvider } from '../../localcloud/services/sns/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { eventsOf, settledStack } from './cloudformation-support.js';

const ACCOUNT = '000000000000';
const outputsOf = (stack: Stack) => Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

describe('CloudFormation: SNS resources', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let sns: SNSClient;
  let sqs: SQSClient;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    sns = new SNSClient(cloud.clientConfig());
    sqs = new SQSClient(cloud.clientConfig());
  });
  after(async () => {
    cfn?.destroy();
    sns?.destroy();
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

  const template = (wanted: string) => ({
    Resources: {
      Inbox: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'cfn-alarm-inbox' } },
      InboxPolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'Inbox' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Inbox', 'Arn'] }, Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'Alarms' } } } }],
          },
        },
      },
      Alarms: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'cfn-alarms', DisplayName: 'Alarms', Tags: [{ Key: 'app', Value: 'iot' }] } },
      AlarmsPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [{ Ref: 'Alarms' }],
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'cloudwatch', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: 'Alarms' } }] },
        },
      },
      ToInbox: {
        Type: 'AWS::SNS::Subscription',
        DependsOn: 'InboxPolicy',
        Properties: {
          TopicArn: { Ref: 'Alarms' },
          Protocol: 'sqs',
          Endpoint: { 'Fn::GetAtt': ['Inbox', 'Arn'] },
          RawMessageDelivery: true,
          FilterPolicy: { severity: [wanted] },
        },
      },
      Ordered: { Type: 'AWS::SNS::Topic', Properties: { FifoTopic: true, ContentBasedDeduplication: true } },
    },
    Outputs: {
      Ref: { Value: { Ref: 'Alarms' } },
      Arn: { Value: { 'Fn::GetAtt': ['Alarms', 'TopicArn'] } },
      Name: { Value: { 'Fn::GetAtt': ['Alarms', 'TopicName'] } },
      Subscription: { Value: { Ref: 'ToInbox' } },
      OrderedName: { Value: { 'Fn::GetAtt': ['Ordered', 'TopicName'] } },
    },
  });

  async function publishAndReceive(topicArn: string, severities: string[]): Promise<string[]> {
    for (const severity of severities) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: severity, MessageAttributes: { severity: { DataType: 'String', StringValue: severity } } }));
    }
    await cloud.cloud.context.service<SnsProvider>('sns')!.deliveriesSettled();
    const url = `${cloud.url}/${ACCOUNT}/cfn-alarm-inbox`;
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    return Messages.map((m) => m.Body!).sort();
  }

  it('creates topics, a filtered raw subscription and a topic policy, updates them, and deletes them', async () => {
    const stack = await deploy('sns-stack', template('critical'));
    const outputs = outputsOf(stack);
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:cfn-alarms`;
    expect(outputs).to.include({ Ref: topicArn, Arn: topicArn, Name: 'cfn-alarms' });
    expect(outputs.OrderedName).to.match(/^sns-stack-Ordered-[A-Z0-9]+\.fifo$/);
    expect(outputs.Subscription).to.match(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));

    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(Attributes!.DisplayName).to.equal('Alarms');
    expect(JSON.parse(Attributes!.Policy!).Statement[0].Sid).to.equal('cloudwatch');
    const sub = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: outputs.Subscription }))).Attributes!;
    expect(sub).to.include({ RawMessageDelivery: 'true', FilterPolicy: '{"severity":["critical"]}' });

    expect(await publishAndReceive(topicArn, ['critical', 'minor'])).to.deep.equal(['critical']);

    await deploy('sns-stack', template('minor'), true);
    expect(await publishAndReceive(topicArn, ['critical', 'minor'])).to.deep.equal(['minor']);

    await cfn.send(new DeleteStackCommand({ StackName: 'sns-stack' }));
    await settledStack(cfn, 'sns-stack').catch(() => undefined);
    await expectAwsError(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn })), 'NotFoundException', 404);
  });
});
