/**
 * Warm environments are stopped after LOCALCLOUD_LAMBDA_IDLE_SECONDS unused
 * (a minute by default): the next invocation gets a fresh process. Runs the
 * cloud as its own process, since the setting is read when it starts.
 */
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipFixture } from '../fixtures/lambda/zip.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';

const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('Lambda: idle environments are reclaimed', function () {
  this.timeout(90_000);
  let cloud: ChildProcess | undefined;
  let lambda: LambdaClient;
  let role: string;

  before(async () => {
    cloud = spawn(process.execPath, [path.join(PROJECT, 'bin', 'localcloud.js'), 'start', '--port', '0'], {
      env: { ...process.env, LOCALCLOUD_LAMBDA_IDLE_SECONDS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      cloud!.stdout!.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const ready = /ready on (http:\/\/\S+)/.exec(out);
        if (ready) resolve(ready[1]);
      });
      cloud!.on('exit', (code) => reject(new Error(`localcloud exited (${code}) before it was ready: ${out}`)));
    });
    const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    lambda = new LambdaClient(config);
    role = await createExecutionRole(config, 'idle-pid');
  });
  after(() => {
    lambda?.destroy();
    cloud?.kill('SIGTERM');
  });

  it('stops an environment unused for longer than the idle limit, and starts a new one when needed', async () => {
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'idle-pid',
      Runtime: 'nodejs22.x',
      Role: role,
      Handler: 'index.pid',
      Code: { ZipFile: await zipFixture('behaviours') },
    }));
    const pidOf = async () => Number(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: 'idle-pid' }))).Payload!).toString());
    const first = await pidOf();
    expect(await pidOf(), 'a warm environment is reused').to.equal(first);
    await waitFor(async () => !existsSync(`/proc/${first}`), `environment process ${first} to be stopped after 1 s idle`, 20_000);
    expect(await pidOf()).to.not.equal(first);
  });
});
