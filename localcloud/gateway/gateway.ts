import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type http2 from 'node:http2';
import { Readable } from 'node:stream';
import { AwsError, toAwsError } from '../core/errors.js';
import { credentialScope } from '../core/sigv4.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../core/types.js';
import { jsonError } from '../protocols/json.js';
import { queryError } from '../protocols/query.js';
import { s3ErrorResponse } from '../services/s3/errors.js';
import { BrowserBoundary } from './browser-boundary.js';
import { ServiceRouter } from './router.js';

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Headers HTTP/2 forbids; Node throws if a response carries them. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * The edge of the local cloud: turns HTTP requests into ServiceRequests,
 * answers health and CORS itself, and makes sure every failure leaves as an
 * AWS-shaped error instead of a crash or a hung connection.
 */
export class Gateway {
  private readonly router: ServiceRouter;

  constructor(
    private readonly ctx: CloudContext,
    private readonly services: ServiceProvider[],
    private readonly maxBodyBytes = MAX_BODY_BYTES,
    /** Which browser pages and Host names may use the cloud; the default trusts no page and only loopback names. */
    readonly browserBoundary = new BrowserBoundary({ bindHost: '127.0.0.1' }),
  ) {
    this.router = new ServiceRouter(services);
  }

  readonly listener = (req: AnyRequest, res: AnyResponse): void => {
    this.serve(req, res).catch((err) => {
      this.ctx.log(`gateway: unexpected failure: ${err instanceof Error ? err.stack : err}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
      }
      res.end();
    });
  };

  private async serve(req: AnyRequest, res: AnyResponse): Promise<void> {
    const headers = lowerCaseHeaders(req.headers);
    const hostHeader = headers['host'] ?? headers[':authority'];
    const host = hostHeader ?? '127.0.0.1';
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
    const requestId = randomUUID();
    const method = req.method ?? 'GET';

    // Before reading a byte of the body: a rebound Host is not this cloud's business.
    const wrongHost = this.browserBoundary.checkHost(hostHeader);
    if (wrongHost) {
      req.resume();
      const service = this.router.route(path, headers, credentialScope(headers, query), query.get('Action'));
      return send(res, withRequestId(errorFor(headers, method, requestId, service, wrongHost), requestId));
    }
    if (path === '/_localstack/health' || path === '/_localcloud/health') {
      const verdict = this.browserBoundary.judge(headers, host, method);
      if (verdict.refusal) return send(res, withRequestId(queryError(verdict.refusal, requestId), requestId));
      return send(res, { status: 200, headers: { ...verdict.cors, 'content-type': 'application/json' }, body: this.health() });
    }

    let body: Buffer;
    try {
      body = await readBody(req, this.maxBodyBytes);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      const response = req.headers['x-amz-target'] ? jsonError(err) : queryError(err, requestId);
      return send(res, { ...response, headers: { ...response.headers, connection: 'close' } });
    }
    const formAction = headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body.toString('utf8')).get('Action')
      : undefined;
    const scope = credentialScope(headers, query);
    const service = this.router.route(path, headers, scope, query.get('Action') ?? formAction);

    const request: ServiceRequest = {
      method,
      path,
      query,
      headers,
      body,
      region: scope?.region ?? this.ctx.defaultRegion,
      accountId: this.accountFor(scope?.accessKeyId),
      accessKeyId: scope?.accessKeyId,
      host,
      endpoint: this.ctx.endpoint,
      requestId,
    };

    // Judged on the final routing: the service that would act is the one whose rules count.
    const resourceCors = service?.resourceCors?.(request);
    const verdict = this.browserBoundary.judge(headers, host, method, resourceCors);
    if (verdict.refusal) {
      return send(res, withRequestId(errorFor(headers, method, requestId, service, verdict.refusal), requestId));
    }
    const privateNetwork: Record<string, string> = verdict.privateNetwork ? { 'access-control-allow-private-network': 'true' } : {};
    if (method === 'OPTIONS' && !resourceCors) {
      return send(res, { status: 200, headers: { ...verdict.cors, ...privateNetwork, 'content-length': '0' } });
    }

    let response: ServiceResponse;
    if (!service) {
      response = errorFor(headers, method, requestId, service, new AwsError('UnknownService', `localcloud cannot tell which service this request is for (${method} ${path}); set X-Amz-Target or sign it with SigV4`, 400));
    } else {
      try {
        response = await service.handle(request);
      } catch (err) {
        response = errorFor(headers, method, requestId, service, toAwsError(err));
      }
    }
    response = withRequestId(response, requestId);
    response.headers = { ...response.headers, ...verdict.cors, ...(response.status === 200 ? privateNetwork : {}) };
    return send(res, response);
  }

  /**
   * LocalStack's convention first: a 12-digit access key id names the account.
   * Then keys issued by this cloud (IAM users, STS sessions) belong to the
   * account that issued them; anything else is the default account.
   */
  private accountFor(accessKeyId: string | undefined): string {
    if (!accessKeyId) return this.ctx.defaultAccountId;
    if (/^\d{12}$/.test(accessKeyId)) return accessKeyId;
    return this.ctx.accountForAccessKey?.(accessKeyId) ?? this.ctx.defaultAccountId;
  }

  private health(): string {
    const services: Record<string, string> = {};
    for (const s of this.services) services[s.name] = 'running';
    return JSON.stringify({ services, edition: 'localcloud', version: '0.1.0' });
  }
}

/** An error in the wire shape the request's service speaks (S3's XML, Lambda's and JSON services' JSON, the query XML). */
function errorFor(
  headers: Record<string, string>,
  method: string,
  requestId: string,
  service: ServiceProvider | undefined,
  error: AwsError,
): ServiceResponse {
  if (headers['x-amz-target'] || service?.name === 'lambda') return jsonError(error);
  if (service?.name === 's3') return s3ErrorResponse(error, method, requestId);
  return queryError(error, requestId);
}

function withRequestId(response: ServiceResponse, requestId: string): ServiceResponse {
  return { ...response, headers: { 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId, ...response.headers } };
}

function lowerCaseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * Bodies are buffered whole, so one is capped well below what a Buffer can
 * hold: past it the request gets a 413 instead of taking the process down.
 * (S3 itself accepts 5 GB in one PUT; locally, use multipart for more.)
 */
export const MAX_BODY_BYTES = 1024 * 1024 * 1024;

function readBody(req: AnyRequest, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        chunks.length = 0;
        reject(new AwsError('EntityTooLarge', `The request body exceeds localcloud's limit of ${maxBytes} bytes; upload large objects in parts (multipart upload)`, 413));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('client aborted the request')));
  });
}

function send(res: AnyResponse, response: ServiceResponse): Promise<void> {
  const isH2 = 'stream' in res;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers ?? {})) {
    const key = k.toLowerCase();
    if (isH2 && CONNECTION_HEADERS.has(key)) continue;
    headers[key] = v;
  }
  const body = response.body;
  return new Promise((resolve) => {
    if (body instanceof Readable) {
      res.writeHead(response.status, headers);
      body.on('error', () => res.destroy());
      (body.pipe(res as NodeJS.WritableStream) as NodeJS.WritableStream).on('finish', () => resolve());
      return;
    }
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    if (payload !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(payload.length);
    res.writeHead(response.status, headers);
    (res as http.ServerResponse).end(payload, () => resolve());
  });
}
