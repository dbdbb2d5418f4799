/**
 * `make up`'s watch, as a user meets it: `up` runs in a temporary copy of the
 * project, the test edits the API function's source there and sees the new
 * answer from Invoke together with the reload line and its time; a syntax
 * error is reported as file:line:column and the previous code keeps serving;
 * a broken template is refused without touching the stack, and a good one is
 * deployed through a change set.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../../harness/support/paths.js';
import { isolatedEnv } from './support/cli.js';

/** What `make up` needs of the project; node_modules is linked, not copied. */
const PROJECT_PARTS = ['harness', 'functions', 'cloudformation', 'localcloud', 'web', 'bin', 'package.json', 'tsconfig.json'];
const ROOT_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

interface RunningUp {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the first match of `pattern` in what `up` printed after `from` characters. */
  waitFor(pattern: RegExp, from: number, what: string): Promise<RegExpExecArray>;
}

function copyProject(): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'iot-hot-reload-'));
  for (const part of PROJECT_PARTS) cpSync(path.join(PROJECT_ROOT, part), path.join(copy, part), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

function startUp(project: string, env: NodeJS.ProcessEnv = {}): RunningUp {
  const args = ['--import', 'tsx', path.join(project, 'harness', 'cli.ts'), 'up', '--port', '0', '--page-port', '0'];
  const child = spawn(process.execPath, args, { cwd: project, env: isolatedEnv(env) });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d.toString('utf8');
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const waitFor = (pattern: RegExp, from: number, what: string) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text.slice(from));
        if (!match) return;
        cleanup();
        resolve(match);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`make up exited (${code}) before ${what}:\n${text}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within 120 s; make up printed:\n${text}`));
      }, 120_000);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', onExit);
      };
      waiters.add(check);
      child.on('exit', onExit);
      check();
    });
  return { child, output: () => text, waitFor };
}

function stop(up: RunningUp): Promise<number | null> {
  return new Promise((resolve) => {
    if (up.child.exitCode !== null) return resolve(up.child.exitCode);
    up.child.on('exit', (code) => resolve(code));
    up.child.kill('SIGINT');
  });
}

function editFile(file: string, from: string, to: string): void {
  const source = readFileSync(file, 'utf8');
  expect(source, `${file} contains ${from}`).to.include(from);
  writeFileSync(file, source.replace(from, to));
}

describe('make up: watch and hot reload (in a temporary copy of the project)', function () {
  this.timeout(300_000);
  let project: string;
  let up: RunningUp | undefined;

  before(function () {
    const target = process.env.TARGET ?? 'embedded';
    if (target !== 'embedded') {
      console.log(`    skipped: this test runs make up on the embedded target (TARGET=${target})`);
      this.skip();
    }
    project = copyProject();
  });
  after(async () => {
    if (up) expect(await stop(up)).to.equal(0);
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('reloads an edited function, keeps the old code on a syntax error, and deploys a changed template', async () => {
    up = startUp(project);
    const summary = await up.waitFor(/IoT Backend is up[\s\S]*\n\s+stop .*\n/, 0, 'summary');
    expect(summary[0]).to.match(/watch\s+saved changes in functions\/ and cloudformation\/ reload here/);
    const endpoint = /cloud\s+.* on (http:\/\/\S+)/.exec(summary[0])?.[1];
    expect(endpoint, summary[0]).to.be.a('string');
    const outputs = (JSON.parse(readFileSync(path.join(project, '.localcloud', 'outputs', 'embedded-iot-backend.json'), 'utf8')) as { outputs: Record<string, string> }).outputs;
    const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: ROOT_CREDENTIALS });
    const cfn = new CloudFormationClient({ endpoint, region: 'us-east-1', credentials: ROOT_CREDENTIALS });
    const query = async () => {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: outputs.LambdaAPIFunction, Payload: JSON.stringify({ operation: 'query', sensorid: 'hot-reload-1' }) }));
      expect(answer.FunctionError, Buffer.from(answer.Payload ?? []).toString()).to.equal(undefined);
      return JSON.parse(Buffer.from(answer.Payload!).toString('utf8')) as Record<string, unknown>;
    };
    const apiSource = path.join(project, 'functions', 'iot_api.ts');
    try {
      // A warm environment with the original code: the reload must replace it.
      expect(await query()).to.not.have.property('reloaded');

      let mark = up.output().length;
      editFile(apiSource, 'return response;', "return { ...response, reloaded: 'v2' };");
      const reloaded = await up.waitFor(/↻ functions\/iot_api\.ts → iot_api: ready in (\d+) ms/, mark, 'reload line');
      expect(Number(reloaded[1])).to.be.a('number');
      expect(await query()).to.have.property('reloaded', 'v2');
      // Only the zip the file belongs to was rebuilt and pushed.
      expect(reloaded[0]).to.not.match(/iot_ddb_cw_eventprocessor|iot_s3_eventprocessor/);

      mark = up.output().length;
      editFile(apiSource, "reloaded: 'v2' };", "reloaded: 'v3' ;");
      const broken = await up.waitFor(/✗ functions\/iot_api\.ts:(\d+):(\d+): (.+) \(iot_api keeps its previous code\)/, mark, 'build error');
      const lineNumber = Number(broken[1]);
      expect(readFileSync(apiSource, 'utf8').split('\n')[lineNumber - 1]).to.include("reloaded: 'v3'");
      expect(await query()).to.have.property('reloaded', 'v2');

      // Fixed again: the next save reloads.
      mark = up.output().length;
      editFile(apiSource, "reloaded: 'v3' ;", "reloaded: 'v4' };");
      await up.waitFor(/↻ functions\/iot_api\.ts → iot_api: ready in \d+ ms/, mark, 'reload line after the fix');
      expect(await query()).to.have.property('reloaded', 'v4');

      // A template that is not JSON: reported where it breaks, nothing deployed.
      const templatePath = path.join(project, 'cloudformation', 'iot-backend.template');
      const template = readFileSync(templatePath, 'utf8');
      mark = up.output().length;
      writeFileSync(templatePath, template.replace('"Resources": {', '"Resources": {,'));
      await up.waitFor(/✗ cloudformation\/iot-backend\.template:\d+:\d+: .+ — not deployed; stack iot-backend is left as it is/, mark, 'template error');
      const stackAfterBreak = (await cfn.send(new DescribeStacksCommand({ StackName: 'iot-backend' }))).Stacks![0]!;
      expect(stackAfterBreak.StackStatus).to.equal('CREATE_COMPLETE');
      expect(await query()).to.have.property('reloaded', 'v4');

      // Valid JSON that CloudFormation refuses: its reason is shown, and the stack stays as it was.
      const refused = JSON.parse(template) as { Resources: Record<string, unknown> };
      refused.Resources.NoSuchThing = { Type: 'AWS::Nope::Thing', Properties: {} };
      mark = up.output().length;
      writeFileSync(templatePath, JSON.stringify(refused, null, 2));
      const rejection = await up.waitFor(/✗ cloudformation\/iot-backend\.template: (.+) — stack iot-backend is left as it was/, mark, 'refused template');
      expect(rejection[1]).to.match(/AWS::Nope::Thing/);
      const stackAfterRefusal = (await cfn.send(new DescribeStacksCommand({ StackName: 'iot-backend' }))).Stacks![0]!;
      expect(stackAfterRefusal.StackStatus).to.equal('CREATE_COMPLETE');
      expect(await query()).to.have.property('reloaded', 'v4');

      // A good change: deployed through a change set, with its events, as make deploy does.
      const changed = JSON.parse(template) as { Outputs: Record<string, unknown> };
      changed.Outputs.HotReloadProbe = { Value: 'deployed-by-watch' };
      mark = up.output().length;
      writeFileSync(templatePath, `${JSON.stringify(changed, null, 2)}\n`);
      await up.waitFor(/↻ cloudformation\/iot-backend\.template → stack iot-backend: ready in /, mark, 'template reload line');
      const deployOutput = up.output().slice(mark);
      expect(deployOutput).to.match(/change set: 0 to add, 0 to modify, 0 to remove|change set: .*to modify/);
      expect(deployOutput).to.match(/UPDATE_COMPLETE/);
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'iot-backend' }))).Stacks![0]!;
      expect(stack.Outputs?.find((o) => o.OutputKey === 'HotReloadProbe')?.OutputValue).to.equal('deployed-by-watch');
    } finally {
      lambda.destroy();
      cfn.destroy();
    }

    const exitCode = await stop(up);
    up = undefined;
    expect(exitCode).to.equal(0);
  });

  it('WATCH=0 turns the watch off, and says so', async () => {
    up = startUp(project, { WATCH: '0' });
    const summary = await up.waitFor(/IoT Backend is up[\s\S]*\n\s+stop .*\n/, 0, 'summary');
    expect(summary[0]).to.match(/watch\s+off: saved changes need make deploy/);
    const exitCode = await stop(up);
    up = undefined;
    expect(exitCode).to.equal(0);
  });
});
