/**
 * The page server's routes. A fixed table: `/`, the bundled assets,
 * `/config.json` and `/api/metrics`; everything else is a 404. Paths are
 * never mapped to files, so `..` and its encodings lead nowhere.
 */
import type http from 'node:http';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ApiError, PageConfig } from '../shared/api.js';
import type { PageAssets } from './assets.js';
import { MetricsQueryError, parseMetricsQuery, readSensorMetrics } from './metrics.js';

export interface HandlerOptions {
  config: PageConfig;
  assets: () => Promise<PageAssets>;
  cloudwatch: () => CloudWatchClient;
  /** Host header values accepted (lower case, with port); undefined accepts any. */
  allowedHosts?: Set<string>;
  log: (line: string) => void;
}

type Response = { status: number; headers?: Record<string, string>; body?: string | Buffer };

export function createRequestHandler(options: HandlerOptions): http.RequestListener {
  const { config } = options;
  const configJson = JSON.stringify(config, null, 2);
  const securityHeaders = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': contentSecurityPolicy(config.endpoint),
  };

  async function route(req: http.IncomingMessage, url: URL): Promise<Response> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return { status: 405, headers: { allow: 'GET, HEAD' }, body: 'Only GET and HEAD are served here.\n' };
    }
    if (url.pathname === '/config.json') return json(200, configJson);
    if (url.pathname === '/api/metrics') return metrics(url);
    if (url.pathname === '/index.html') return { status: 308, headers: { location: '/' } };

    const assets = await options.assets();
    const asset = assets.files.get(url.pathname);
    if (!asset) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `Not found: ${url.pathname}\n` };
    return {
      status: 200,
      // Rebuilt on every server start: let the browser revalidate rather than keep a stale page.
      headers: { 'content-type': asset.contentType, 'cache-control': 'no-cache' },
      body: asset.body,
    };
  }

  async function metrics(url: URL): Promise<Response> {
    let query;
    try {
      query = parseMetricsQuery(url.searchParams);
    } catch (error) {
      if (error instanceof MetricsQueryError) return apiError(400, 'InvalidParameter', error.message);
      throw error;
    }
    try {
      return json(200, JSON.stringify(await readSensorMetrics(options.cloudwatch(), query)));
    } catch (error) {
      const { code, message } = describeCloudWatchError(error, config.endpoint ?? `https://monitoring.${config.region}.amazonaws.com`);
      options.log(`metrics: ${code}: ${message}`);
      return apiError(502, code, message);
    }
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    const host = (req.headers.host ?? '').toLowerCase();
    const answer =
      options.allowedHosts && !options.allowedHosts.has(host)
        ? // A page on loopback that hands out keys must not answer a rebound DNS name.
          Promise.resolve<Response>({ status: 421, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `This page only answers as ${[...options.allowedHosts][0]}.\n` })
        : route(req, url);
    answer
      .catch((error: unknown): Response => {
        options.log(`${req.method} ${url.pathname}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `The test page server failed: ${error instanceof Error ? error.message : String(error)}\n` };
      })
      .then(({ status, headers = {}, body }) => {
        const bytes = typeof body === 'string' ? Buffer.from(body) : body;
        res.writeHead(status, { ...securityHeaders, ...headers, 'content-length': String(bytes?.length ?? 0) });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      });
  };
}

function json(status: number, body: string): Response {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body };
}

function apiError(status: number, code: string, message: string): Response {
  const body: ApiError = { error: { code, message } };
  return json(status, JSON.stringify(body));
}

/** The browser may talk to this server and to the AWS endpoint, nothing else. */
export function contentSecurityPolicy(endpoint: string | undefined): string {
  const aws = endpoint ? new URL(endpoint).origin : 'https://*.amazonaws.com https://*.amazonaws.com.cn';
  return [
    "default-src 'self'",
    `connect-src 'self' ${aws}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function describeCloudWatchError(error: unknown, endpoint: string): { code: string; message: string } {
  const e = error as { name?: string; message?: string; code?: string };
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'ECONNRESET' || e?.name === 'TimeoutError') {
    return { code: 'NetworkError', message: `the page's server cannot reach CloudWatch at ${endpoint} (${e.code ?? e.name})` };
  }
  if (e?.name === 'CredentialsProviderError') {
    return { code: e.name, message: "the page's server found no AWS credentials to read CloudWatch with (standard credential chain: AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)" };
  }
  return { code: e?.name ?? 'Error', message: e?.message ?? String(error) };
}
