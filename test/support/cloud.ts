import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../localcloud/localcloud.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface TestCloud {
  cloud: LocalCloud;
  url: string;
  /** Config for any AWS SDK v3 client: only endpoint, region and credentials, as a user would pass. */
  clientConfig(region?: string): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

/** Starts a fresh in-memory (or `stateDir`) local cloud on a free port. */
export async function startTestCloud(options: LocalCloudOptions = {}): Promise<TestCloud> {
  const logs: string[] = [];
  const cloud = await startLocalCloud({ port: 0, log: (m) => logs.push(m), ...options });
  return {
    cloud,
    url: cloud.url,
    clientConfig: (region = 'us-east-1') => ({
      endpoint: cloud.url,
      region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    stop: () => cloud.stop(),
  };
}

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(prefix = 'localcloud-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
