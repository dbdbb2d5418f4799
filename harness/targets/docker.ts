/**
 * Is there a Docker engine to run LocalStack in? A `docker` binary alone is
 * not enough (on many CI and sandbox machines it is only a client), so ask the
 * engine itself: GET /_ping on DOCKER_HOST or the default socket, and fall
 * back to `docker version` for set-ups only the CLI knows (contexts, ssh).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export type DockerStatus = { available: true; via: string } | { available: false; reason: string };

const PING_TIMEOUT_MS = 3000;

export async function dockerEngineStatus(env: NodeJS.ProcessEnv = process.env): Promise<DockerStatus> {
  const candidates = engineAddresses(env);
  for (const address of candidates) {
    if (await ping(address)) return { available: true, via: describe(address) };
  }
  const cli = await dockerCliServerVersion();
  if (cli.ok) return { available: true, via: 'docker CLI' };
  const where = candidates.length > 0 ? candidates.map(describe).join(', ') : 'no Docker socket found';
  const reason = cli.missing
    ? `no Docker engine answers (${where}) and there is no docker CLI`
    : `no Docker engine answers (${where}; the docker CLI reaches no server either)`;
  return { available: false, reason };
}

/** The one-line message for the CLI and the test suites. */
export function noDockerMessage(reason: string): string {
  return `TARGET=localstack needs a running Docker engine, but ${reason}. Use the embedded target instead, which needs no Docker: make up (or TARGET=embedded)`;
}

type EngineAddress = { socketPath: string } | { host: string; port: number };

function engineAddresses(env: NodeJS.ProcessEnv): EngineAddress[] {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
    if (dockerHost.startsWith('tcp://')) {
      const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
      return [{ host: url.hostname, port: Number(url.port || 2375) }];
    }
    return []; // ssh://, npipe:// — leave those to the CLI
  }
  const sockets = [
    '/var/run/docker.sock',
    path.join(os.homedir(), '.docker', 'run', 'docker.sock'), // Docker Desktop
    ...(env.XDG_RUNTIME_DIR ? [path.join(env.XDG_RUNTIME_DIR, 'docker.sock')] : []), // rootless
  ];
  return sockets.filter((socket) => existsSync(socket)).map((socketPath) => ({ socketPath }));
}

function describe(address: EngineAddress): string {
  return 'socketPath' in address ? address.socketPath : `tcp://${address.host}:${address.port}`;
}

function ping(address: EngineAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ ...address, path: '/_ping', timeout: PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function dockerCliServerVersion(): Promise<{ ok: boolean; missing: boolean }> {
  return new Promise((resolve) => {
    execFile('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 10_000 }, (error, stdout) => {
      if (!error) return resolve({ ok: stdout.trim() !== '', missing: false });
      resolve({ ok: false, missing: (error as NodeJS.ErrnoException).code === 'ENOENT' });
    });
  });
}
