/**
 * SNS through the AWS CLI (botocore's query protocol serializer, a different
 * client stack from SDK v3): create a topic with attributes and tags,
 * subscribe a queue with a filter policy, publish with message attributes,
 * and read an error. Skipped with one line when no `aws` is found.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { SnsProvider } from '../../localcloud/services/sns/index.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const run = promisify(execFile);
const ACCOUNT = '000000000000';

function findAwsCli(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'aws'))) return path.join(dir, 'aws');
  }
  return existsSync('/usr/bin/aws') ? '/usr/bin/aws' : undefined;
}

describe('SNS through the AWS CLI', function () {
  this.timeout(120_000);
  const cli = findAwsCli();
  let cloud: TestCloud;
  let scratch: string;

  async function aws(...args: string[]): Promise<any> {
    const { stdout } = await run(cli!, ['--endpoint-url', cloud.url, '--output', 'json', ...args], {
      env: {
        ...process.env,
        HOME: scratch,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: path.join(scratch, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'none'),
      },
    });
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  }

  before(async function () {
    if (!cli) {
      console.log('    skipping the SNS AWS CLI suite: no `aws` found');
      this.skip();
    }
    cloud = await startTestCloud();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sns-cli-'));
  });
  after(async () => {
    await cloud?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('creates, subscribes, publishes with attributes, and reports errors as botocore expects', async () => {
    const { TopicArn } = await aws('sns', 'create-topic', '--name', 'cli-topic', '--attributes', 'DisplayName=From CLI', '--tags', 'Key=app,Value=iot');
    expect(TopicArn).to.equal(`arn:aws:sns:us-east-1:${ACCOUNT}:cli-topic`);
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:cli-inbox`;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }],
    });
    const { QueueUrl } = await aws('sqs', 'create-queue', '--queue-name', 'cli-inbox', '--attributes', JSON.stringify({ Policy: policy }));
    const { SubscriptionArn } = await aws(
      'sns', 'subscribe', '--topic-arn', TopicArn, '--protocol', 'sqs', '--notification-endpoint', queueArn,
      '--attributes', JSON.stringify({ RawMessageDelivery: 'true', FilterPolicy: '{"n":[{"numeric":[">",5]}]}' }),
    );
    expect(SubscriptionArn).to.match(new RegExp(`^${TopicArn}:`));
    const attributes = (await aws('sns', 'get-topic-attributes', '--topic-arn', TopicArn)).Attributes;
    expect(attributes).to.include({ DisplayName: 'From CLI', SubscriptionsConfirmed: '1' });
    expect((await aws('sns', 'list-tags-for-resource', '--resource-arn', TopicArn)).Tags).to.deep.equal([{ Key: 'app', Value: 'iot' }]);

    await aws('sns', 'publish', '--topic-arn', TopicArn, '--message', 'small', '--message-attributes', '{"n":{"DataType":"Number","StringValue":"1"}}');
    const published = await aws('sns', 'publish', '--topic-arn', TopicArn, '--message', 'big', '--message-attributes', '{"n":{"DataType":"Number","StringValue":"9"}}');
    expect(published.MessageId).to.be.a('string');
    await cloud.cloud.context.service<SnsProvider>('sns')!.deliveriesSettled();
    const received = await aws('sqs', 'receive-message', '--queue-url', QueueUrl, '--max-number-of-messages', '10');
    expect(received.Messages.map((m: { Body: string }) => m.Body)).to.deep.equal(['big']);

    const failure = await aws('sns', 'get-topic-attributes', '--topic-arn', `arn:aws:sns:us-east-1:${ACCOUNT}:missing`).then(
      () => undefined,
      (err: { stderr: string }) => err.stderr,
    );
    expect(failure).to.match(/NotFound/);
  });
});
