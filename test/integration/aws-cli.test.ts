/**
 * The AWS CLI against the local cloud, unchanged but for --endpoint-url: the
 * CLI is botocore, a different client stack from the SDK v3 the other tests
 * use (query protocol for CloudWatch, its own S3 transfer manager, its own
 * change-set deploy). CI installs Debian's awscli; elsewhere the suite is
 * skipped with one line when no `aws` is found.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const run = promisify(execFile);

function findAwsCli(): string | undefined {
  if (existsSync('/usr/bin/aws')) return '/usr/bin/aws';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'aws'))) return path.join(dir, 'aws');
  }
  return undefined;
}

describe('AWS CLI against localcloud', function () {
  this.timeout(120_000);
  const cli = findAwsCli();
  let cloud: TestCloud;
  let scratch: string;

  /** Runs the CLI with only these credentials: no profile, no config file of the developer's. */
  async function awsText(args: string[], credentials = { id: 'test', secret: 'test' }): Promise<string> {
    const { stdout } = await run(cli!, ['--endpoint-url', cloud.url, '--output', 'json', ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        AWS_ACCESS_KEY_ID: credentials.id,
        AWS_SECRET_ACCESS_KEY: credentials.secret,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: path.join(scratch, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'none'),
      },
    });
    return stdout;
  }
  const aws = async (...args: string[]): Promise<any> => {
    const stdout = await awsText(args);
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  };

  before(async function () {
    if (!cli) {
      console.log('    skipping the AWS CLI suite: no `aws` found (Debian: apt-get install awscli)');
      this.skip();
    }
    cloud = await startTestCloud();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'aws-cli-'));
  });
  after(async () => {
    await cloud?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('S3: make a bucket, copy a file up and down, list, remove', async () => {
    const file = path.join(scratch, 'reading.json');
    writeFileSync(file, '{"sensorid":"a","value":1}');
    expect(await awsText(['s3', 'mb', 's3://cli-bucket'])).to.match(/make_bucket: cli-bucket/);
    expect(await awsText(['s3', 'cp', file, 's3://cli-bucket/dir/reading.json'])).to.match(/upload: .* to s3:\/\/cli-bucket\/dir\/reading.json/);
    const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'dir/');
    expect(listed.Contents.map((o: { Key: string }) => o.Key)).to.deep.equal(['dir/reading.json']);
    const out = path.join(scratch, 'back.json');
    await aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'dir/reading.json', out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).to.deep.equal({ sensorid: 'a', value: 1 });
    expect(await awsText(['s3', 'rb', 's3://cli-bucket', '--force'])).to.match(/remove_bucket: cli-bucket/);
  });

  it('DynamoDB, Kinesis, CloudWatch (query protocol), Logs, IAM, STS answer in their own protocols', async () => {
    const table = await aws('dynamodb', 'create-table', '--table-name', 'cli-table',
      '--attribute-definitions', 'AttributeName=k,AttributeType=S', '--key-schema', 'AttributeName=k,KeyType=HASH',
      '--billing-mode', 'PAY_PER_REQUEST');
    expect(table.TableDescription.TableStatus).to.equal('ACTIVE');

    await aws('kinesis', 'create-stream', '--stream-name', 'cli-stream', '--shard-count', '1');
    const put = await aws('kinesis', 'put-record', '--stream-name', 'cli-stream', '--partition-key', 'p', '--data', 'aGVsbG8=');
    expect(put.ShardId).to.equal('shardId-000000000000');

    await aws('cloudwatch', 'put-metric-data', '--namespace', 'Sensor', '--metric-name', 'SensorData',
      '--dimensions', 'SensorId=cli', '--value', '21.5');
    const now = new Date();
    const stats = await aws('cloudwatch', 'get-metric-statistics', '--namespace', 'Sensor', '--metric-name', 'SensorData',
      '--dimensions', 'Name=SensorId,Value=cli', '--statistics', 'Sum', 'SampleCount', '--period', '60',
      '--start-time', new Date(now.getTime() - 600_000).toISOString(), '--end-time', new Date(now.getTime() + 60_000).toISOString());
    expect(stats.Datapoints).to.have.length(1);
    expect(stats.Datapoints[0]).to.include({ Sum: 21.5, SampleCount: 1 });

    await aws('logs', 'create-log-group', '--log-group-name', '/cli/group');
    const groups = await aws('logs', 'describe-log-groups', '--log-group-name-prefix', '/cli/');
    expect(groups.logGroups.map((g: { logGroupName: string }) => g.logGroupName)).to.deep.equal(['/cli/group']);

    const user = await aws('iam', 'create-user', '--user-name', 'cli-user');
    expect(user.User.Arn).to.equal('arn:aws:iam::000000000000:user/cli-user');
    const keys = await aws('iam', 'create-access-key', '--user-name', 'cli-user');
    const identity = JSON.parse(await awsText(['sts', 'get-caller-identity'], { id: keys.AccessKey.AccessKeyId, secret: keys.AccessKey.SecretAccessKey }));
    expect(identity.Arn).to.equal('arn:aws:iam::000000000000:user/cli-user');
  });

  it('`aws cloudformation deploy` (change sets and waiters) creates, updates and reports outputs', async () => {
    const template = (retention: number) => JSON.stringify({
      Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: retention } } },
      Outputs: { GroupName: { Value: { Ref: 'Logs' } } },
    });
    // The CLI names each change set after the current second; a local stack settles well
    // within one, so two deploys in a row would reuse a name (AlreadyExistsException).
    const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const file = path.join(scratch, 'stack.json');
    writeFileSync(file, template(7));
    expect(await awsText(['cloudformation', 'deploy', '--stack-name', 'cli-stack', '--template-file', file])).to.match(/Successfully created\/updated stack - cli-stack/);
    writeFileSync(file, template(14));
    await nextSecond();
    expect(await awsText(['cloudformation', 'deploy', '--stack-name', 'cli-stack', '--template-file', file])).to.match(/Successfully created\/updated stack - cli-stack/);
    await nextSecond();
    expect(await awsText(['cloudformation', 'deploy', '--stack-name', 'cli-stack', '--template-file', file, '--no-fail-on-empty-changeset'])).to.match(/No changes to deploy/);
    const { Stacks } = await aws('cloudformation', 'describe-stacks', '--stack-name', 'cli-stack');
    expect(Stacks[0].StackStatus).to.equal('UPDATE_COMPLETE');
    const group = Stacks[0].Outputs.find((o: { OutputKey: string }) => o.OutputKey === 'GroupName').OutputValue;
    const groups = await aws('logs', 'describe-log-groups', '--log-group-name-prefix', group);
    expect(groups.logGroups[0].retentionInDays).to.equal(14);
  });
});
