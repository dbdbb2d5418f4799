/**
 * The target the e2e suite runs against, chosen by TARGET like the CLI's:
 * always a FRESH one — a new in-memory embedded cloud on a free port, a new
 * LocalStack test container, or (endpoint) a uniquely named stack on the given
 * endpoint. The same harness target code as `make up` connects to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildFunctions } from '../../../harness/build/build.js';
import { dockerEngineStatus, noDockerMessage } from '../../../harness/targets/docker.js';
import { DEFAULT_LOCALSTACK_IMAGE } from '../../../harness/targets/localstack.js';
import { isTargetName, targetByName, type Connection, type TargetName, type TargetSettings } from '../../../harness/targets/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export type Opened = { connection: Connection; cloudLog: string[] } | { skip: string };

export function e2eTargetName(): TargetName {
  const name = process.env.TARGET || 'embedded';
  if (!isTargetName(name)) throw new Error(`TARGET=${name} is not a target: embedded, localstack, endpoint or aws`);
  return name;
}

export async function openFreshTarget(name = e2eTargetName()): Promise<Opened> {
  if (name === 'aws') {
    return { skip: 'TARGET=aws: the e2e suite never runs against real AWS (cost, leftovers); test/e2e/deploy-aws.test.ts covers the aws code path locally' };
  }
  if (name === 'localstack') {
    const docker = await dockerEngineStatus();
    if (!docker.available) return { skip: noDockerMessage(docker.reason) };
  }
  if (name === 'endpoint' && !process.env.ENDPOINT_URL) {
    throw new Error('TARGET=endpoint needs ENDPOINT_URL (e.g. ENDPOINT_URL=http://127.0.0.1:4566)');
  }
  const cloudLog: string[] = [];
  const settings: TargetSettings = {
    region: process.env.REGION || 'us-east-1',
    port: 0, // a free port: never collides with a running `make up`
    host: '127.0.0.1',
    endpointUrl: process.env.ENDPOINT_URL,
    stateDir: undefined, // in memory: nothing survives the run
    cloudLog: (message) => cloudLog.push(message),
    localstackImage: process.env.LOCALSTACK_IMAGE || DEFAULT_LOCALSTACK_IMAGE,
    localstackRunner: 'testcontainers',
  };
  return { connection: await targetByName(name).connect(settings), cloudLog };
}

/** Names unique per run, so runs against a shared endpoint never meet. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Fresh zips in a temporary folder, so a test run never rewrites dist/. */
export async function buildZips(): Promise<{ dir: string; cleanup(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'iot-e2e-zips-'));
  await buildFunctions({ outDir: dir });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
