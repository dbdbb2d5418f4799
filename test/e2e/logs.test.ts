/**
 * `make logs` against a fresh embedded cloud with the stack deployed: the
 * follower runs as `make logs` runs it (the harness CLI in its own process),
 * a function is invoked, and its lines appear — asserted on content.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { deployStack, type DeployResult } from '../../harness/deploy/deploy.js';
import { PROJECT_ROOT } from '../../harness/support/paths.js';
import { collectingReporter } from '../../harness/support/terminal.js';
import { clientConfig, type Connection } from '../../harness/targets/index.js';
import { isolatedEnv, runCli } from './support/cli.js';
import { buildZips, openFreshTarget, uniqueName } from './support/target.js';
import { waitFor } from './support/wait.js';

describe('make logs (embedded)', function () {
  this.timeout(300_000);
  let connection: Connection | undefined;
  let zips: { dir: string; cleanup(): void } | undefined;
  let deployed: DeployResult;
  let follower: { child: ChildProcessWithoutNullStreams; output(): string } | undefined;
  const stackName = uniqueName('iot-logs');
  const port = () => new URL(connection!.endpoint!).port;

  before(async function () {
    const opened = await openFreshTarget('embedded');
    if ('skip' in opened) this.skip();
    connection = opened.connection;
    zips = await buildZips();
    deployed = await deployStack({
      connection,
      stackName,
      codeBucket: uniqueName('iot-logs-code'),
      codeKeyPrefix: 'iot-backend',
      artifactsDir: zips.dir,
      reporter: collectingReporter(),
    });
  });

  after(async function () {
    follower?.child.kill('SIGKILL');
    await connection?.stop();
    zips?.cleanup();
  });

  it("prints an invocation's log lines: the JSON line pretty-printed, REPORT as duration and memory, START/END folded", async function () {
    follower = startFollower(['--port', port(), '--stack', stackName, '--since', '1m', '--function', 'ApiFunction']);
    await waitFor('the follower to start', async () => (/Following ApiFunction of/.test(follower!.output()) ? true : undefined), { timeoutMs: 60_000 });

    const sensorId = `logs-${randomBytes(4).toString('hex')}`;
    const lambda = new LambdaClient(clientConfig(connection!));
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: deployed.outputs.LambdaAPIFunction, Payload: Buffer.from(JSON.stringify({ operation: "query", sensorid: sensorId })) }),
    );
    expect(result.FunctionError, Buffer.from(result.Payload ?? []).toString()).to.equal(undefined);

    const printed = await waitFor(
      "the invocation's lines in make logs' output",
      async (note) => {
        const text = follower!.output();
        note(text);
        return text.includes(`"sensorId": "${sensorId}"`) && /ApiFunction\s+DONE/.test(text) ? text : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const lines = printed.split('\n');
    const headline = lines.find((l) => /ApiFunction\s+INFO\s+\w{8}\s+Query answered$/.test(l));
    expect(headline, printed).to.be.a('string');
    expect(lines.find((l) => /ApiFunction\s+DONE\s+\w{8}\s+[\d.]+ m?s · \d+ of \d+ MB/.test(l)), printed).to.be.a('string');
    expect(printed, 'START and END fold away').not.to.match(/START RequestId|END RequestId/);
    expect(printed, 'NO_COLOR: no escape codes').not.to.contain('\x1b[');
  });

  it('FILTER is passed to CloudWatch Logs: only matching events are printed', async function () {
    follower?.child.kill('SIGKILL');
    const wanted = `wanted-${randomBytes(3).toString('hex')}`;
    const other = `other-${randomBytes(3).toString('hex')}`;
    const lambda = new LambdaClient(clientConfig(connection!));
    for (const sensorId of [other, wanted]) {
      await lambda.send(new InvokeCommand({ FunctionName: deployed.outputs.LambdaAPIFunction, Payload: Buffer.from(JSON.stringify({ operation: "query", sensorid: sensorId })) }));
    }
    follower = startFollower(['--port', port(), '--stack', stackName, '--since', '5m', '--filter', `"${wanted}"`]);
    const printed = await waitFor('the filtered line', async () => (follower!.output().includes(wanted) ? follower!.output() : undefined), { timeoutMs: 60_000 });
    expect(printed).not.to.contain(other);
    expect(printed, 'REPORT lines do not match the pattern').not.to.match(/DONE/);
  });

  it('says so when the stack is not deployed, or nothing runs on the port', async function () {
    const missing = await runCli(['logs', '--port', port(), '--stack', 'no-such-stack'], isolatedEnv(), 60_000);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/stack no-such-stack is not deployed on .*: deploy it first/);
    const nothing = await runCli(['logs', '--port', '1'], isolatedEnv(), 60_000);
    expect(nothing.code).to.equal(1);
    expect(nothing.stderr).to.match(/no local cloud answers on http:\/\/127\.0\.0\.1:1: start it first \(make up\)/);
  });

  it('make up DEBUG=1 refuses a cloud it did not start, saying how to debug there', async function () {
    const result = await runCli(['up', '--port', port(), '--page-port', '0', '--stack', stackName, '--skip-build'], isolatedEnv({ DEBUG: '1' }), 60_000);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/DEBUG needs a cloud started by this make up, but the embedded cloud already running on .* \(reused\); stop it, or start it with --debug-function <function name>=<port>/);
  });
});

function startFollower(args: string[]): { child: ChildProcessWithoutNullStreams; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'harness', 'cli.ts'), 'logs', ...args], {
    cwd: PROJECT_ROOT,
    env: isolatedEnv(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.on('exit', (code) => {
    if (code) stdout += `\n[follower exited ${code}: ${stderr}]`;
  });
  return { child, output: () => stdout };
}
