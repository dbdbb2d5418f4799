/** Small network probes: is a cloud answering, is a port free. Loopback only by default. */
import http from 'node:http';
import net from 'node:net';

export interface HealthInfo {
  /** `localcloud` for ours; LocalStack reports its own edition (community, pro). */
  edition?: string;
  version?: string;
  services?: Record<string, string>;
}

/**
 * GET <endpoint>/_localstack/health — the health route LocalStack and our
 * embedded cloud share. Resolves undefined when nothing (or something else)
 * answers within the timeout.
 */
export function probeHealth(endpoint: string, timeoutMs = 2000): Promise<HealthInfo | undefined> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL('/_localstack/health', endpoint);
    } catch {
      resolve(undefined);
      return;
    }
    const req = http.get(url, { timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HealthInfo;
          resolve(body && typeof body === 'object' && 'services' in body ? body : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Polls the health route until it answers or `timeoutMs` passes. */
export async function waitForHealth(endpoint: string, timeoutMs: number, intervalMs = 500): Promise<HealthInfo | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await probeHealth(endpoint, Math.min(2000, Math.max(200, deadline - Date.now())));
    if (health || Date.now() >= deadline) return health;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Services a health answer shows as still starting. A local cloud answers
 * health as soon as it listens, while its services may still be loading their
 * state (seconds, for a large state directory); until none is starting, it
 * is not ready.
 */
export function servicesStarting(health: HealthInfo): string[] {
  return Object.entries(health.services ?? {})
    .filter(([, state]) => state === 'starting')
    .map(([name]) => name);
}

/** Polls the health route until no service is starting; the last answer, or undefined if it stopped answering. */
export async function waitForServicesRunning(endpoint: string, timeoutMs: number, intervalMs = 200): Promise<HealthInfo | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await probeHealth(endpoint, Math.min(2000, Math.max(200, deadline - Date.now())));
    if (!health || servicesStarting(health).length === 0 || Date.now() >= deadline) return health;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether a TCP listener could bind `host:port` right now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function portInUseMessage(port: number, host: string, what: string, hint: string): string {
  return `port ${port} on ${host} is already in use, so ${what} cannot start there — ${hint}`;
}

/**
 * Whether the cloud at `endpoint` would let a page of `origin` call it: a CORS
 * preflight as the browser sends it. False when it refuses or does not answer.
 */
export function originAllowed(endpoint: string, origin: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(
      new URL('/', endpoint),
      {
        method: 'OPTIONS',
        timeout: timeoutMs,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-amz-target' },
      },
      (res) => {
        res.resume();
        const granted = res.headers['access-control-allow-origin'];
        resolve(res.statusCode !== undefined && res.statusCode < 300 && (granted === origin || granted === '*'));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
