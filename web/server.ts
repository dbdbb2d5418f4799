/**
 * The test page's server: `make up` starts it with the stack's outputs, and the
 * page opens ready to use — no keys or names to paste in by hand.
 *
 * A local development page: it listens on 127.0.0.1 and hands the TestClient's
 * access keys to whoever loads it (that is what those keys are for). The
 * administrator credentials stay in this process; it uses them only to read the
 * `Sensor` metrics, which the TestClient may not.
 */
import http from 'node:http';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { pageAssets } from './src/server/assets.js';
import { createRequestHandler } from './src/server/handler.js';
import { pageConfig } from './src/server/page-config.js';

/** What the test page needs to know, taken from the stack's outputs and the target. */
export interface TestPageConfig {
  /** Where the browser sends AWS calls (the local cloud, or undefined for real AWS endpoints). */
  endpoint?: string;
  region: string;
  stackName: string;
  /** The stack's outputs: AccessKeyId, SecretAccessKey, LambdaAPIFunction, KinesisStream, ... */
  outputs: Record<string, string>;
  /** Credentials the page's own server uses for what the TestClient may not do (reading metrics). */
  adminCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where the server's own diagnostics go (default: stderr). */
  log?: (line: string) => void;
}

export interface TestPageServer {
  url: string;
  /**
   * The origins the page runs on in a browser (each loopback name it answers to),
   * which the cloud must allow: the page calls it straight from the browser.
   */
  origins: string[];
  stop(): Promise<void>;
  /** How long esbuild took to bundle the page (once per process), and what a first visit downloads, in bytes. */
  bundle?: { durationMs: number; pageBytes: number };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startTestPageServer(config: TestPageConfig, options: { port?: number; host?: string } = {}): Promise<TestPageServer> {
  const host = options.host ?? '127.0.0.1';
  const log = config.log ?? ((line: string) => process.stderr.write(`test page: ${line}\n`));

  // Bundle before listening: a broken page should fail `make up`, not the first visit.
  const assets = await pageAssets();

  let cloudwatch: CloudWatchClient | undefined;
  // On loopback, answer only to loopback names (DNS rebinding); filled in once the port is known.
  // Bound wider, the user chose to share the page, and any Host is accepted.
  const allowedHosts = LOOPBACK.has(host) ? new Set<string>() : undefined;
  const server = http.createServer(
    createRequestHandler({
      config: pageConfig(config),
      assets: pageAssets,
      cloudwatch: () =>
        (cloudwatch ??= new CloudWatchClient({
          region: config.region,
          ...(config.endpoint ? { endpoint: config.endpoint } : {}),
          ...(config.adminCredentials ? { credentials: config.adminCredentials } : {}),
        })),
      allowedHosts,
      log,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  for (const name of LOOPBACK) allowedHosts?.add(`${name.includes(':') ? `[${name}]` : name}:${port}`);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let stopping: Promise<void> | undefined;
  const originHosts = allowedHosts ? [...allowedHosts] : [`${urlHost}:${port}`];
  return {
    url: `http://${urlHost}:${port}/`,
    origins: originHosts.map((h) => `http://${h}`),
    bundle: { durationMs: Math.round(assets.bundleMs), pageBytes: assets.pageBytes },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        cloudwatch?.destroy();
      });
      return stopping;
    },
  };
}
