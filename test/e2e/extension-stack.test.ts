/**
 * The project's template deployed unchanged, plus a small extension stack
 * (test/fixtures/cloudformation/alarm-extension.template.json): an alarm on
 * the processor's InvalidEvents metric notifies an SNS topic that an SQS
 * queue subscribes to. A malformed device payload must end up as AWS's alarm
 * notification in that queue.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { deployStack } from '../../harness/deploy/deploy.js';
import { collectingReporter } from '../../harness/support/terminal.js';
import { clientConfig, type Connection, type Credentials } from '../../harness/targets/index.js';
import { buildZips, e2eTargetName, openFreshTarget, uniqueName } from './support/target.js';
import { waitFor } from './support/wait.js';

const ALARM_EXTENSION = path.resolve('test/fixtures/cloudformation/alarm-extension.template.json');
const POISON_EXTENSION = path.resolve('test/fixtures/cloudformation/poison-extension.template.json');

describe(`IoT backend with an extension stack (TARGET=${e2eTargetName()})`, function () {
  this.timeout(600_000);

  let connection: Connection | undefined;
  let zips: { dir: string; cleanup(): void } | undefined;
  let outputs: Record<string, string>;
  let extension: Record<string, string>;
  let poison: Record<string, string>;
  let testClient: Credentials;

  before(async function () {
    const opened = await openFreshTarget();
    if ('skip' in opened) {
      console.log(`    skipped: ${opened.skip}`);
      this.skip();
    }
    connection = opened.connection;
    zips = await buildZips();
    const deployed = await deployStack({
      connection,
      stackName: uniqueName('iot-ext'),
      codeBucket: uniqueName('iot-ext-code'),
      codeKeyPrefix: 'iot-backend',
      artifactsDir: zips.dir,
      reporter: collectingReporter(),
    });
    outputs = deployed.outputs;
    testClient = { accessKeyId: outputs.AccessKeyId!, secretAccessKey: outputs.SecretAccessKey! };

    extension = await createStack(uniqueName('iot-alarms'), ALARM_EXTENSION);
    poison = await createStack(uniqueName('iot-poison'), POISON_EXTENSION, { StreamName: outputs.KinesisStream! });
  });

  /** Creates a stack from a template file and returns its outputs once CREATE_COMPLETE. */
  async function createStack(StackName: string, templatePath: string, parameters: Record<string, string> = {}): Promise<Record<string, string>> {
    const cfn = new CloudFormationClient(clientConfig(connection!));
    await cfn.send(
      new CreateStackCommand({
        StackName,
        TemplateBody: readFileSync(templatePath, 'utf8'),
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const stack = await waitFor(`stack ${StackName} created`, async (note) => {
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName }));
      note(Stacks?.[0]?.StackStatus ?? 'no stack');
      if (Stacks?.[0]?.StackStatus?.endsWith('_IN_PROGRESS')) return undefined;
      return Stacks![0]!;
    });
    expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
    return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  }

  async function nextMessage(queueUrl: string): Promise<string> {
    const sqs = new SQSClient(clientConfig(connection!));
    return waitFor(`a message in ${queueUrl}`, async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      const message = Messages?.[0];
      if (!message) return undefined;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      return message.Body!;
    });
  }

  after(async function () {
    await connection?.stop();
    zips?.cleanup();
  });

  it('a malformed device payload raises the alarm, whose notification arrives in the queue in AWS shape', async function () {
    const kinesis = new KinesisClient(clientConfig(connection!, testClient));
    await kinesis.send(
      new PutRecordsCommand({ StreamName: outputs.KinesisStream, Records: [{ Data: Buffer.from('{"sensorid": "broken", "val', 'utf8'), PartitionKey: 'malformed' }] }),
    );
    const body = await nextMessage(extension.AlarmInboxUrl!);
    const envelope = JSON.parse(body);
    expect(envelope).to.include({ Type: 'Notification', TopicArn: extension.AlarmTopicArn });
    const alarm = JSON.parse(envelope.Message);
    expect(alarm).to.include({ AlarmName: extension.AlarmName, NewStateValue: 'ALARM' });
    expect(['INSUFFICIENT_DATA', 'OK']).to.include(alarm.OldStateValue);
    expect(alarm.NewStateReason).to.match(/^Threshold Crossed/);
    expect(alarm.Trigger).to.deep.include({ MetricName: 'InvalidEvents', Namespace: 'Sensor', Dimensions: [{ value: 'payload-not-json', name: 'Reason' }] });
  });

  it("a poison batch on the project's stream reaches the validator's on-failure queue as AWS's failure record", async function () {
    const kinesis = new KinesisClient(clientConfig(connection!, testClient));
    // Any non-JSON record fails the validator's batch (the alarm test's one too, read from TRIM_HORIZON): one attempt, then the queue.
    await kinesis.send(new PutRecordsCommand({ StreamName: outputs.KinesisStream, Records: [{ Data: Buffer.from('not json at all', 'utf8'), PartitionKey: 'poison' }] }));
    const record = JSON.parse(await nextMessage(poison.PoisonQueueUrl!));
    expect(record.version).to.equal('1.0');
    expect(record.requestContext).to.include({ functionArn: poison.ValidatorArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 });
    expect(record.responseContext).to.include({ statusCode: 200, functionError: 'Unhandled' });
    expect(record.KinesisBatchInfo.streamArn).to.match(new RegExp(`:stream/${outputs.KinesisStream}$`));
    expect(record.KinesisBatchInfo.batchSize).to.be.greaterThan(0);
  });
});
