import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { createStream, putNumbered, received } from '../fixtures/lambda/streams.js';
import { zipFixture } from '../fixtures/lambda/zip.js';

const ROLE = 'arn:aws:iam::000000000000:role/stream-reader';

describe('Lambda across a restart', function () {
  this.timeout(120_000);
  const state = tempDir('lambda-state-');
  const trimOut = tempDir('lambda-out-trim-');
  const latestOut = tempDir('lambda-out-latest-');
  let cloud: TestCloud | undefined;

  after(async () => {
    await cloud?.stop();
    for (const dir of [state, trimOut, latestOut]) dir.cleanup();
  });

  function clients(c: TestCloud) {
    return { lambda: new LambdaClient(c.clientConfig()), kinesis: new KinesisClient(c.clientConfig()) };
  }

  async function untilEnabled(lambda: LambdaClient, uuid: string) {
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', `mapping ${uuid}`);
  }

  it('keeps functions invokable and resumes mappings after their last checkpoint', async () => {
    const consumer = await zipFixture('stream-consumer');
    const behaviours = await zipFixture('behaviours');

    cloud = await startTestCloud({ stateDir: state.dir });
    let { lambda, kinesis } = clients(cloud);
    await createExecutionRole(cloud.clientConfig(), 'stream-reader');
    const trimStream = await createStream(kinesis, 'restart-trim', 2);
    const latestStream = await createStream(kinesis, 'restart-latest', 1);
    const create = (name: string, dir: string) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Role: ROLE,
          Handler: 'index.handler',
          Code: { ZipFile: consumer },
          Environment: { Variables: { OUT_DIR: dir } },
        }),
      );
    await create('restart-trim-consumer', trimOut.dir);
    await create('restart-latest-consumer', latestOut.dir);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'restart-echo', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.echo', Code: { ZipFile: behaviours } }));
    const trim = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'restart-trim-consumer', EventSourceArn: trimStream, StartingPosition: 'TRIM_HORIZON', BatchSize: 20 }),
    );
    const latest = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'restart-latest-consumer', EventSourceArn: latestStream, StartingPosition: 'LATEST' }),
    );
    await untilEnabled(lambda, trim.UUID!);
    await untilEnabled(lambda, latest.UUID!);

    await putNumbered(kinesis, 'restart-trim', 0, 200);
    await waitFor(() => received(trimOut.dir).length >= 200, 'the first 200 records');
    const before = await lambda.send(new InvokeCommand({ FunctionName: 'restart-echo', Payload: Buffer.from('{}') }));
    const pid = JSON.parse(Buffer.from(before.Payload!).toString()).pid as number;
    expect(alive(pid)).to.equal(true);
    lambda.destroy();
    kinesis.destroy();
    await cloud.stop();
    // stop() ends every function process.
    await waitFor(() => !alive(pid), `function process ${pid} to exit`, 5000);

    cloud = await startTestCloud({ stateDir: state.dir });
    ({ lambda, kinesis } = clients(cloud));
    try {
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'restart-echo' }));
      expect(fn.Configuration?.State).to.equal('Active');
      const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'restart-echo', Payload: Buffer.from('{"after":"restart"}') }));
      const body = JSON.parse(Buffer.from(invoked.Payload!).toString());
      expect(invoked.FunctionError).to.equal(undefined);
      expect(body.event).to.deep.equal({ after: 'restart' });
      expect(body.env.AWS_ENDPOINT_URL).to.equal(cloud.url);

      await untilEnabled(lambda, trim.UUID!);
      await untilEnabled(lambda, latest.UUID!);
      await putNumbered(kinesis, 'restart-trim', 200, 300);
      await putNumbered(kinesis, 'restart-latest', 0, 10);
      await waitFor(() => received(trimOut.dir).length >= 300, 'the records put after the restart');
      await waitFor(() => received(latestOut.dir).length >= 10, 'the LATEST mapping to resume');
      await new Promise((r) => setTimeout(r, 500)); // anything redelivered would show up now

      const records = received(trimOut.dir);
      expect(records).to.have.length(300);
      expect(new Set(records.map((r) => r.i)).size).to.equal(300);
      expect(received(latestOut.dir).map((r) => r.i)).to.deep.equal([...Array(10).keys()]);
    } finally {
      lambda.destroy();
      kinesis.destroy();
    }
  });

  it('function processes exit when localcloud itself dies', async () => {
    const pidFile = path.join(state.dir, 'busy.pid');
    const script = fileURLToPath(new URL('../fixtures/lambda/cloud-with-function.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script, pidFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      parent.stdout!.on('data', (chunk) => (output += chunk));
      const idlePid = await waitFor(() => (/^(\d+)\n/.exec(output) ? Number(/^(\d+)\n/.exec(output)![1]) : undefined), 'the idle environment', 60_000);
      const busyPid = Number(readFileSync(pidFile, 'utf8'));
      expect(existsSync(pidFile)).to.equal(true);
      expect(alive(idlePid) && alive(busyPid)).to.equal(true);
      parent.kill('SIGKILL');
      await waitFor(() => !alive(idlePid) && !alive(busyPid), 'orphaned function processes to exit', 10_000);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
