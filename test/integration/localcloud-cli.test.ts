/**
 * `node bin/localcloud.js` as users start it: from the bundle of the sources
 * the launcher keeps in node_modules/.cache/localcloud/, rebuilt when the
 * sources change, and through tsx when it cannot be built.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipFixture } from '../fixtures/lambda/zip.js';
import { tempDir } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READY_LINE = /^localcloud ready on (http:\/\/127\.0\.0\.1:(\d+)) \(in-memory, IAM enforce, started in \d+ ms\)$/m;
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunningCli {
  url: string;
  port: number;
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then how it ended. */
  stop(): Promise<Finished>;
}

const running = new Set<ChildProcess>();

function launch(args: string[], project = PROJECT): { child: ChildProcess; finished: Promise<Finished>; output(): { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [path.join(project, 'bin', 'localcloud.js'), ...args], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const finished = new Promise<Finished>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, finished, output: () => ({ stdout, stderr }) };
}

/** Runs the launcher to completion. */
function run(args: string[], project = PROJECT): Promise<Finished> {
  return launch(args, project).finished;
}

/** `localcloud start --port 0`, once it has printed its ready line. */
async function startCli(): Promise<RunningCli> {
  const { child, finished, output } = launch(['start', '--port', '0']);
  let ended: Finished | undefined;
  void finished.then((result) => (ended = result));
  const match = await waitFor(() => {
    if (ended) throw new Error(`localcloud exited (${ended.signal ?? ended.code}) before it was ready:\n${ended.stdout}${ended.stderr}`);
    return READY_LINE.exec(output().stdout) ?? undefined;
  }, 'the ready line');
  return {
    url: match[1],
    port: Number(match[2]),
    child,
    output,
    stop: () => {
      child.kill('SIGTERM');
      return finished;
    },
  };
}

function clientConfig(url: string) {
  return { endpoint: url, region: 'us-east-1', credentials: CREDENTIALS };
}

/**
 * A copy of the project's launcher and sources with the installed packages
 * linked in, so that its sources can change (and its bundle cache can break)
 * without touching the project's.
 */
function projectCopy(): { dir: string; cleanup(): void } {
  const copy = tempDir('localcloud-cli-');
  for (const entry of ['bin', 'localcloud', 'package.json', 'tsconfig.json']) {
    cpSync(path.join(PROJECT, entry), path.join(copy.dir, entry), { recursive: true });
  }
  // Linked one by one rather than as one link, so the copy's bundle cache is its own.
  mkdirSync(path.join(copy.dir, 'node_modules'));
  for (const name of readdirSync(path.join(PROJECT, 'node_modules'))) {
    if (name !== '.cache') symlinkSync(path.join(PROJECT, 'node_modules', name), path.join(copy.dir, 'node_modules', name));
  }
  return copy;
}

function bundlesIn(project: string): string[] {
  const cache = path.join(project, 'node_modules', '.cache', 'localcloud');
  return readdirSync(cache).filter((name) => name.endsWith('.mjs'));
}

describe('localcloud CLI (bin/localcloud.js)', function () {
  this.timeout(120_000);

  before(async () => {
    const prepared = await run(['--prepare']);
    expect(prepared.code, prepared.stderr).to.equal(0);
    expect(prepared.stdout).to.match(/^localcloud: (built .* in \d+ ms|.* is up to date)\n$/);
  });

  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  it('starts from the bundle on the port the OS picks, prints its ready line, answers health, and stops on SIGTERM with exit 0', async () => {
    const cli = await startCli();
    expect(cli.port).to.be.greaterThan(0);
    const health = await fetch(`${cli.url}/_localstack/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.have.property('services');

    const ended = await cli.stop();
    expect(ended.code).to.equal(0);
    expect(ended.signal).to.equal(null);
    expect(ended.stdout).to.include('localcloud: SIGTERM, stopping');
    // The only way to the tsx path is with a warning: none means the bundle ran.
    expect(ended.stderr).to.equal('');
  });

  it('answers a bad flag with one line on stderr and a non-zero exit', async () => {
    for (const args of [['start', '--port', 'abc'], ['start', '--no-such-flag']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).to.be.greaterThan(0);
      expect(result.stdout, args.join(' ')).to.equal('');
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).to.have.length(1);
      expect(result.stderr).to.match(/^localcloud: /);
    }
    expect((await run(['start', '--port', 'abc'])).stderr).to.include("--port must be a number between 0 and 65535, got 'abc'");
  });

  it('runs Lambda functions from the bundle: the bootstrap, the SDK and cfn-response resolve from function code', async () => {
    const cli = await startCli();
    const s3 = new S3Client({ ...clientConfig(cli.url), forcePathStyle: true });
    const lambda = new LambdaClient(clientConfig(cli.url));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'seen-from-a-function' }));
      // The function lists buckets with its role's session: the role allows exactly that.
      const role = await createExecutionRole(
        clientConfig(cli.url),
        'from-the-bundle',
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] }),
      );
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'from-the-bundle',
          Runtime: 'nodejs22.x',
          Role: role,
          Handler: 'index.handler',
          Timeout: 20,
          Code: { ZipFile: await zipFixture('sdk-access') },
        }),
      );
      const output = await lambda.send(new InvokeCommand({ FunctionName: 'from-the-bundle', Payload: Buffer.from('{}') }));
      const body = JSON.parse(Buffer.from(output.Payload!).toString('utf8'));
      expect(output.FunctionError, JSON.stringify(body)).to.equal(undefined);
      expect(body).to.deep.equal({ buckets: ['seen-from-a-function'], cfnResponse: 'function', success: 'SUCCESS' });
    } finally {
      s3.destroy();
      lambda.destroy();
      expect((await cli.stop()).code).to.equal(0);
    }
  });

  it('runs CloudFormation (the bundled SDK clients) and the DynamoDB and Kinesis engines (required from their packages) from the bundle', async () => {
    const cli = await startCli();
    const cloudformation = new CloudFormationClient(clientConfig(cli.url));
    const dynamodb = new DynamoDBClient(clientConfig(cli.url));
    const kinesis = new KinesisClient(clientConfig(cli.url));
    try {
      const template = {
        Resources: {
          Table: {
            Type: 'AWS::DynamoDB::Table',
            Properties: {
              TableName: 'bundled',
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            },
          },
          Stream: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'bundled', ShardCount: 1 } },
        },
      };
      await cloudformation.send(new CreateStackCommand({ StackName: 'bundled', TemplateBody: JSON.stringify(template) }));
      const stack = await waitFor(async (): Promise<Stack | undefined> => {
        const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'bundled' }));
        return Stacks![0].StackStatus!.endsWith('_IN_PROGRESS') ? undefined : Stacks![0];
      }, 'the stack');
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');

      await dynamodb.send(new PutItemCommand({ TableName: 'bundled', Item: { id: { S: 'a' }, n: { N: '1' } } }));
      const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'bundled', Key: { id: { S: 'a' } } }));
      expect(Item).to.deep.equal({ id: { S: 'a' }, n: { N: '1' } });
      const put = await kinesis.send(new PutRecordCommand({ StreamName: 'bundled', PartitionKey: 'k', Data: Buffer.from('x') }));
      expect(put.ShardId).to.equal('shardId-000000000000');
    } finally {
      cloudformation.destroy();
      dynamodb.destroy();
      kinesis.destroy();
      expect((await cli.stop()).code).to.equal(0);
    }
  });

  describe('in a copy of the project', () => {
    let copy: { dir: string; cleanup(): void };

    beforeEach(() => {
      copy = projectCopy();
    });

    afterEach(() => copy.cleanup());

    it('rebuilds the bundle after a source change and never runs the stale one', async () => {
      const built = await run(['--prepare'], copy.dir);
      expect(built.code, built.stderr).to.equal(0);
      expect(built.stdout).to.match(/^localcloud: built node_modules\/\.cache\/localcloud\/cli-[0-9a-f]+\.mjs in \d+ ms\n$/);
      const [first] = bundlesIn(copy.dir);
      expect((await run(['--prepare'], copy.dir)).stdout).to.equal(`localcloud: node_modules/.cache/localcloud/${first} is up to date\n`);

      const cli = path.join(copy.dir, 'localcloud', 'cli.ts');
      const edited = readFileSync(cli, 'utf8').replace('Runs the embedded local AWS cloud', 'Runs the EDITED local AWS cloud');
      writeFileSync(cli, edited);
      const help = await run(['--help'], copy.dir);
      expect(help.code, help.stderr).to.equal(0);
      expect(help.stderr).to.equal('');
      expect(help.stdout).to.include('Runs the EDITED local AWS cloud');
      const after = bundlesIn(copy.dir);
      expect(after, 'the stale bundle is removed').to.have.length(1);
      expect(after[0]).to.not.equal(first);
    });

    it('runs the sources through tsx, with one warning line, when the bundle cannot be built', async () => {
      // A file where the cache directory should be: the bundle cannot be written.
      writeFileSync(path.join(copy.dir, 'node_modules', '.cache'), '');
      const help = await run(['--help'], copy.dir);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.include('usage: localcloud start');
      expect(help.stderr.trimEnd().split('\n')).to.have.length(1);
      expect(help.stderr).to.match(/^localcloud: could not bundle the sources: .+ — running the sources through tsx, which starts slower\n$/);

      const prepare = await run(['--prepare'], copy.dir);
      expect(prepare.code).to.equal(1);
      expect(prepare.stderr.trimEnd().split('\n')).to.have.length(1);
      expect(prepare.stderr).to.match(/^localcloud: could not bundle the sources: /);
    });

    it('runs the sources through tsx, with one warning line, when the bundle does not load', async () => {
      expect((await run(['--prepare'], copy.dir)).code).to.equal(0);
      const [bundle] = bundlesIn(copy.dir);
      writeFileSync(path.join(copy.dir, 'node_modules', '.cache', 'localcloud', bundle), 'export {');
      const help = await run(['--help'], copy.dir);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.include('usage: localcloud start');
      expect(help.stderr).to.match(/^localcloud: could not load node_modules\/\.cache\/localcloud\/cli-[0-9a-f]+\.mjs: .+ — running the sources through tsx, which starts slower\n$/);
    });
  });
});
