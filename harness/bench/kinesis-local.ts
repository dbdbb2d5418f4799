/**
 * kinesis-local (npm), the Kinesis engine LocalStack uses (kinesis-mock,
 * compiled to JavaScript), run as a child process on free ports. It reads its
 * TLS certificate from server.json next to main.js, so it is started in its
 * package folder.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import http from 'node:http';
import { freePort, stopProcess } from './cloud-process.js';
import { sleep } from './context.js';

export interface KinesisLocal {
  url: string;
  /** spawn() to the first healthy answer. */
  startMs: number;
  stop(): Promise<void>;
}

export async function startKinesisLocal(timeoutMs = 60_000): Promise<KinesisLocal> {
  const main = createRequire(import.meta.url).resolve('kinesis-local/main.js');
  const [plainPort, tlsPort] = [await freePort(), await freePort()];
  let tail = '';
  const started = performance.now();
  const child = spawn(process.execPath, [main], {
    cwd: path.dirname(main),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plainPort),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      LOG_LEVEL: 'ERROR',
      // Streams become ACTIVE after this long (default 500 ms); the bench measures puts, not that wait.
      CREATE_STREAM_DURATION: '0ms',
    },
  });
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${plainPort}`;
  for (;;) {
    if (await healthy(url)) break;
    if (child.exitCode !== null || performance.now() - started > timeoutMs) {
      await stopProcess(child);
      throw new Error(`kinesis-local did not start:\n${tail.trim()}`);
    }
    await sleep(10);
  }
  return { url, startMs: performance.now() - started, stop: () => stopProcess(child) };
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthcheck`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
