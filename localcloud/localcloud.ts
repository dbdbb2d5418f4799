import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TrustBoundary } from './auth/index.js';
import { resolveIamMode, type IamMode } from './auth/mode.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LocalCloudContext } from './core/context.js';
import type { CloudContext, ServiceProvider } from './core/types.js';
import { BrowserBoundary } from './gateway/browser-boundary.js';
import { Gateway } from './gateway/gateway.js';
import { ServiceReadiness } from './gateway/health.js';
import { isLoopbackBinding } from './gateway/host-allowlist.js';
import { DualProtocolServer, type ConnectionLimits } from './gateway/http-server.js';
import { createServices } from './services/registry.js';
import type { LambdaProvider } from './services/lambda/index.js';
import { DEBUG_FUNCTIONS_ENV, parseDebugFunctions } from './services/lambda/runtime/debug/debug-functions.js';

export interface LocalCloudOptions {
  /** 0 picks a free port. Default 4566, LocalStack's edge port. */
  port?: number;
  /** Default 127.0.0.1: the account roots' keys are public conventions (`test`), so the cloud stays on loopback unless told otherwise. */
  host?: string;
  /** Persist state here; omit for an in-memory cloud. */
  stateDir?: string;
  accountId?: string;
  region?: string;
  /**
   * Web page origins allowed to call the cloud from a browser (`http://127.0.0.1:8080`),
   * besides those in LOCALCLOUD_ALLOWED_ORIGINS (comma-separated); `*` allows every page.
   * Others are refused; requests without an Origin (SDKs, CLI) are not affected.
   * More can be added while running with {@link LocalCloud.allowOrigin}.
   */
  allowedOrigins?: string[];
  /**
   * Host names the cloud answers to besides loopback ones (`mycloud.test`, `*.mycloud.test`),
   * and those in LOCALCLOUD_ALLOWED_HOSTS (comma-separated). Others are refused (DNS rebinding).
   */
  allowedHosts?: string[];
  /** Largest request body the gateway buffers (default 1 GiB); larger ones get a 413. */
  maxBodyBytes?: number;
  /** IAM: enforce (default; or $LOCALCLOUD_IAM), report, or off. See localcloud/auth/mode.ts. */
  iam?: IamMode;
  /**
   * Connection timeouts and limits (defaults: 10 s for a first request head or HTTP/2 preface, 65 s idle,
   * 512 connections), and how long a request body may send nothing (default 20 s) before S3's RequestTimeout.
   */
  connections?: Partial<ConnectionLimits> & { bodyStallTimeoutMs?: number };
  /** Providers started and routed next to the built-in ones (tests inject a slow-starting one). */
  extraServices?: (context: CloudContext) => ServiceProvider[];
  /** Where diagnostics go; default stderr. */
  log?: (message: string) => void;
  /**
   * Lambda debug mode: function name → a 127.0.0.1 port. Those functions' environments run with the
   * Node inspector (never pausing at start) reachable on that port, one environment at a time, their
   * timeout suspended while paused. Also LOCALCLOUD_DEBUG_FUNCTIONS=name=port,...; see services/lambda/README.md.
   */
  debugFunctions?: Record<string, number>;
}

export interface LocalCloud {
  /** e.g. http://127.0.0.1:4566 */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly context: LocalCloudContext;
  /** Lets a web page's origin call the cloud from now on (e.g. a page server that learned its port after the cloud started). */
  allowOrigin(origin: string): void;
  /** Replaces the set of functions in Lambda debug mode (see {@link LocalCloudOptions.debugFunctions}); rejects if a port cannot be opened. */
  debugFunctions(ports: Record<string, number>): Promise<void>;
  /** Function name → debug port, for the functions in Lambda debug mode now. */
  debuggedFunctions(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  const stateDir = options.stateDir ? path.resolve(options.stateDir) : undefined;
  if (stateDir) mkdirSync(stateDir, { recursive: true });
  const log = options.log ?? ((m: string) => process.stderr.write(`localcloud: ${m}\n`));
  const context = new LocalCloudContext(stateDir, options.accountId ?? DEFAULT_ACCOUNT_ID, options.region ?? DEFAULT_REGION, log);

  // Before the services: IAM and STS register their keys with it as they are created.
  context.trust = new TrustBoundary(context, resolveIamMode(options.iam));

  const services: ServiceProvider[] = [...createServices(context), ...(options.extraServices?.(context) ?? [])];
  for (const service of services) context.register(service);

  const readiness = new ServiceReadiness(services);
  const boundary = new BrowserBoundary({
    allowedOrigins: [...(options.allowedOrigins ?? []), ...listFromEnv('LOCALCLOUD_ALLOWED_ORIGINS')],
    allowedHosts: [...(options.allowedHosts ?? []), ...listFromEnv('LOCALCLOUD_ALLOWED_HOSTS')],
    bindHost: host,
  });
  const { bodyStallTimeoutMs, ...limits } = options.connections ?? {};
  const gateway = new Gateway(context, services, { maxBodyBytes: options.maxBodyBytes, bodyStallTimeoutMs, readiness, boundary });
  const server = new DualProtocolServer(gateway.listener, limits);
  let address;
  try {
    address = await server.listen(options.port ?? 4566, host);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new Error(`port ${options.port ?? 4566} on ${host} is already in use — stop whatever holds it (LocalStack? another 'make up'?) or choose another port with --port`);
    }
    throw err;
  }
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  context.endpoint = `http://${urlHost}:${address.port}`;
  if (!isLoopbackBinding(host)) log(exposureWarning(host, address.port));

  // Services start after the port is known: some (Lambda) hand the endpoint to child processes. Meanwhile
  // health shows them starting and the gateway holds their requests; this resolves once every one runs.
  const lambda = context.service<LambdaProvider>('lambda');
  const debugFunctions = async (ports: Record<string, number>) => {
    if (!lambda) throw new Error('Lambda debug mode needs the Lambda service');
    await lambda.runtime.debugFunctions(ports);
  };
  try {
    await readiness.startAll();
  } catch (err) {
    await server.close();
    throw err;
  }
  try {
    const debugged = { ...parseDebugFunctions(listFromEnv(DEBUG_FUNCTIONS_ENV), DEBUG_FUNCTIONS_ENV), ...options.debugFunctions };
    if (Object.keys(debugged).length > 0) await debugFunctions(debugged);
  } catch (err) {
    await server.close();
    for (const s of [...services].reverse()) await s.stop?.()?.catch(() => {});
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: context.endpoint,
    port: address.port,
    host,
    context,
    allowOrigin: (origin) => boundary.allowOrigin(origin),
    debugFunctions,
    debuggedFunctions: () => lambda?.runtime.debuggedFunctions() ?? {},
    stop() {
      stopping ??= (async () => {
        await server.close();
        for (const s of [...services].reverse()) {
          try {
            await s.stop?.();
          } catch (err) {
            log(`stopping ${s.name}: ${err instanceof Error ? err.message : err}`);
          }
        }
      })();
      return stopping;
    },
  };
}

function listFromEnv(name: string): string[] {
  return (process.env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** What listening beyond loopback hands to everyone who can reach the port. */
export function exposureWarning(host: string, port: number): string {
  return (
    `WARNING: listening on ${host}:${port}, beyond this machine. Anyone on the network who can reach this port ` +
    `can use the account-root keys every local tool uses (test/test): read and change every resource, and run code ` +
    `on this machine through Lambda functions. Bind to 127.0.0.1 (the default) unless you mean to share the cloud with that whole network.`
  );
}
