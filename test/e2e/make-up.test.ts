/**
 * `make up` as a user runs it: a separate process, state inside this project
 * (whose package.json says "type": "module"), the summary, the test page, a
 * clean Ctrl-C, and a second `up` that finds the same stack unchanged.
 * The e2e suites next to this one use in-memory clouds; this is the path
 * `make up` really takes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readUpState } from '../../harness/commands/up-state.js';
import { PROJECT_ROOT } from '../../harness/support/paths.js';
import { isolatedEnv } from './support/cli.js';

interface RunningUp {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  summary: string;
}

const SCRATCH = path.join(PROJECT_ROOT, '.localcloud', `e2e-up-${process.pid}`);

function startUp(): Promise<RunningUp> {
  const args = ['--import', 'tsx', path.join(PROJECT_ROOT, 'harness', 'cli.ts'), 'up', '--port', '0', '--page-port', '0',
    '--state-dir', path.join(SCRATCH, 'state'), '--outputs-dir', path.join(SCRATCH, 'outputs')];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: isolatedEnv() });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`make up printed no summary within 120 s; output so far:\n${text}`));
    }, 120_000);
    const check = () => {
      const end = text.indexOf('\n', text.indexOf('  stop '));
      if (text.includes('IoT Backend is up') && text.includes('  stop ') && end > 0) {
        clearTimeout(timer);
        resolve({ child, output: () => text, summary: text.slice(text.indexOf('IoT Backend is up'), end) });
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`make up exited (${code}) before its summary:\n${text}`));
    });
  });
}

function stop(up: RunningUp): Promise<number | null> {
  return new Promise((resolve) => {
    up.child.removeAllListeners('exit');
    up.child.on('exit', (code) => resolve(code));
    up.child.kill('SIGINT');
  });
}

function row(summary: string, label: string): string {
  const line = summary.split('\n').find((l) => l.trimStart().startsWith(label));
  expect(line, `summary row '${label}' in:\n${summary}`).to.be.a('string');
  return line!.trim().slice(label.length).trim();
}

describe('make up (the harness CLI, as a user runs it)', function () {
  this.timeout(300_000);

  before(function () {
    const target = process.env.TARGET ?? 'embedded';
    if (target !== 'embedded') {
      console.log(`    skipped: this test runs make up on the embedded target (TARGET=${target}); the suites above cover ${target}`);
      this.skip();
    }
    const running = readUpState();
    if (running) {
      console.log(`    skipped: a make up is already running here (pid ${running.pid}); stop it with make down to run this test`);
      this.skip();
    }
  });
  after(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it('deploys, serves the test page, stops on Ctrl-C, and comes back with the same stack', async () => {
    const first = await startUp();
    let stackRow: string;
    try {
      stackRow = row(first.summary, 'stack');
      expect(stackRow).to.equal('iot-backend CREATE_COMPLETE');
      const pageUrl = row(first.summary, 'test page');
      const page = await fetch(pageUrl);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.match(/<html/i);
      const config = (await (await fetch(new URL('config.json', pageUrl))).json()) as { outputs: Record<string, string> };
      expect(config.outputs.KinesisStream).to.match(/^iot-backend-EventStream-/);

      // The page calls the cloud from the browser: make up told the cloud the page's origin, and only that one.
      const cloudUrl = /on (http:\/\/\S+)/.exec(row(first.summary, 'cloud'))?.[1];
      expect(cloudUrl, row(first.summary, 'cloud')).to.be.a('string');
      const preflight = (origin: string) =>
        fetch(`${cloudUrl}/`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target' } });
      const fromPage = await preflight(new URL(pageUrl).origin);
      expect(fromPage.status).to.equal(200);
      expect(fromPage.headers.get('access-control-allow-origin')).to.equal(new URL(pageUrl).origin);
      expect((await preflight('http://evil.example')).status).to.equal(403);
    } finally {
      expect(await stop(first)).to.equal(0);
    }
    expect(first.output()).to.match(/Stopped\. The cloud's state stays in/);

    const second = await startUp();
    try {
      expect(row(second.summary, 'stack')).to.equal('iot-backend CREATE_COMPLETE (unchanged)');
      expect(second.output()).to.not.match(/change set: \d+ to add/);
    } finally {
      expect(await stop(second)).to.equal(0);
    }
  });
});
