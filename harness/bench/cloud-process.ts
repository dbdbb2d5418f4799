/**
 * The local cloud as users run it: `node bin/localcloud.js start --port N` in
 * its own process, in memory. Timed from spawn() to the first healthy answer
 * of /_localstack/health, which is what a script waiting on the cloud sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { IamMode } from '../../localcloud/auth/mode.js';
import { PROJECT_ROOT } from '../support/paths.js';
import { processTreeMemory } from './process-memory.js';

const CLI = path.join(PROJECT_ROOT, 'bin', 'localcloud.js');
/** Kept from the cloud's output, to explain a cloud that failed. */
const OUTPUT_TAIL_CHARS = 4000;

export interface CloudProcess {
  url: string;
  pid: number;
  /** spawn() to the first healthy answer. */
  startMs: number;
  /** The last few KB of its stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  timeoutMs?: number;
  pollMs?: number;
  /**
   * Extra arguments for node, before the script: e.g. `--cpu-prof` to profile
   * the cloud. Default: BENCH_CLOUD_NODE_ARGS, split on spaces.
   */
  nodeArgs?: string[];
  /**
   * `localcloud start --iam MODE`. Default: the cloud's own default (enforce,
   * or $LOCALCLOUD_IAM), which is what users get.
   */
  iam?: IamMode;
}

export async function spawnCloud(options: SpawnOptions = {}): Promise<CloudProcess> {
  const nodeArgs = options.nodeArgs ?? (process.env.BENCH_CLOUD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  const started = performance.now();
  const iamArgs = options.iam ? ['--iam', options.iam] : [];
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'start', '--port', String(port), ...iamArgs], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });

  const deadline = started + (options.timeoutMs ?? 30_000);
  const pollMs = options.pollMs ?? 5;
  for (;;) {
    if (await isHealthy(url)) break;
    if (exited || performance.now() > deadline) {
      await stopProcess(child);
      throw new Error(`the local cloud on port ${port} ${exited ?? 'did not become healthy in time'}:\n${tail.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const startMs = performance.now() - started;
  return { url, pid: child.pid!, startMs, output: () => tail, stop: () => stopProcess(child) };
}

/** One GET of the health route: true on a 200, false on refusal, error or another status. */
export function isHealthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/_localstack/health`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * SIGTERM, the cloud's orderly shutdown (it stops its function processes);
 * SIGKILL for the whole tree when it does not exit within a few seconds.
 */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let descendants: number[] = [];
  const timer = setTimeout(() => {
    // Taken before the kill: the function processes a killed cloud would leave orphaned.
    descendants = processTreeMemory(child.pid!).pids.filter((pid) => pid !== child.pid);
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
  for (const pid of descendants) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
