import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type http2 from 'node:http2';
import { Readable } from 'node:stream';
import { buildIamReport } from '../auth/report.js';
import { AwsError, toAwsError } from '../core/errors.js';
import { credentialScope } from '../core/sigv4.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../core/types.js';
import { jsonError } from '../protocols/json.js';
import { queryError } from '../protocols/query.js';
import { s3ErrorResponse } from '../services/s3/errors.js';
import { BrowserBoundary } from './browser-boundary.js';
import { DEFAULT_READINESS_WAIT_MS, ServiceReadiness } from './health.js';
import { refuseUnknownRegion } from './region-check.js';
import { ServiceRouter } from './router.js';
import { unservedServiceResponse } from './unserved-service.js';

/** Where `localcloud iam report` reads the running cloud's IAM usage. */
export const IAM_REPORT_PATH = '/_localcloud/iam/report';

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Headers HTTP/2 forbids; Node throws if a response carries them. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export interface GatewayOptions {
  /** Largest request body buffered; larger ones get a 413. */
  maxBodyBytes?: number;
  /** A request body that sends nothing for this long gets S3's RequestTimeout (400). */
  bodyStallTimeoutMs?: number;
  /** Each service's lifecycle; without it every service counts as running. */
  readiness?: ServiceReadiness;
  /** How long a request waits for its service to finish starting before a 503. */
  readinessWaitMs?: number;
  /** Which browser pages and Host names may use the cloud; the default trusts no page and only loopback names. */
  boundary?: BrowserBoundary;
}

/**
 * S3 closes an upload whose body stops arriving after about 20 s; a body
 * that keeps flowing, however slowly and for however long, is fine.
 */
export const DEFAULT_BODY_STALL_TIMEOUT_MS = 20_000;

/**
 * The edge of the local cloud: turns HTTP requests into ServiceRequests,
 * answers health and CORS itself, and makes sure every failure leaves as an
 * AWS-shaped error instead of a crash or a hung connection.
 */
export class Gateway {
  private readonly router: ServiceRouter;
  private readonly readiness: ServiceReadiness | undefined;
  private readonly maxBodyBytes: number;
  private readonly bodyStallTimeoutMs: number;
  private readonly readinessWaitMs: number;
  readonly browserBoundary: BrowserBoundary;

  constructor(
    private readonly ctx: CloudContext,
    services: ServiceProvider[],
    options: GatewayOptions = {},
  ) {
    this.router = new ServiceRouter(services);
    this.readiness = options.readiness;
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.bodyStallTimeoutMs = options.bodyStallTimeoutMs ?? DEFAULT_BODY_STALL_TIMEOUT_MS;
    this.readinessWaitMs = options.readinessWaitMs ?? DEFAULT_READINESS_WAIT_MS;
    this.browserBoundary = options.boundary ?? new BrowserBoundary({ bindHost: '127.0.0.1' });
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
      // LocalStack answers 200 whatever the services' states; readers look at each service.
      const health = JSON.stringify(this.readiness?.report() ?? { services: {} });
      return send(res, { status: 200, headers: { ...verdict.cors, 'content-type': 'application/json', 'cache-control': 'no-store' }, body: health });
    }
    if ('httpVersionMajor' in req && req.httpVersionMajor < 1) {
      // Node's parser takes `GET /` without a version as HTTP/0.9: no headers, so nothing to sign or route.
      const response = queryError(new AwsError('BadRequest', 'HTTP/0.9 requests are not supported; send HTTP/1.1 or HTTP/2', 400), requestId);
      return send(res, { ...response, headers: { ...response.headers, connection: 'close' } });
    }
    if (path === IAM_REPORT_PATH && method === 'GET' && this.ctx.trust) {
      const verdict = this.browserBoundary.judge(headers, host, method);
      if (verdict.refusal) return send(res, withRequestId(queryError(verdict.refusal, requestId), requestId));
      const report = buildIamReport(this.ctx, this.ctx.trust.mode, this.ctx.trust.usage);
      return send(res, { status: 200, headers: { ...verdict.cors, 'content-type': 'application/json' }, body: JSON.stringify(report, null, 2) });
    }

    let body: Buffer;
    try {
      body = await readBody(req, this.maxBodyBytes, this.bodyStallTimeoutMs);
    } catch (err) {
      // The connection is gone (a parse error answered by the server, or the client hung up): nobody to answer.
      if (err instanceof RequestAborted) return void res.destroy();
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
    // A client that hangs up stops long-running requests (SQS long polls) from waiting for nobody.
    const clientGone = new AbortController();
    res.once('close', () => {
      if (!res.writableEnded) clientGone.abort();
    });
    request.signal = clientGone.signal;

    // A service still starting (S3 loading its records) cannot be asked anything yet, its CORS rules included.
    const state = service ? ((await this.readiness?.whenSettled(service.name, this.readinessWaitMs)) ?? 'running') : 'running';
    // Judged on the final routing: the service that would act is the one whose rules count.
    const resourceCors = state === 'running' ? service?.resourceCors?.(request) : undefined;
    const verdict = this.browserBoundary.judge(headers, host, method, resourceCors);
    if (verdict.refusal) {
      return send(res, withRequestId(errorFor(headers, method, requestId, service, verdict.refusal, request), requestId));
    }
    const privateNetwork: Record<string, string> = verdict.privateNetwork ? { 'access-control-allow-private-network': 'true' } : {};
    if (method === 'OPTIONS' && !resourceCors) {
      return send(res, { status: 200, headers: { ...verdict.cors, ...privateNetwork, 'content-length': '0' } });
    }

    const unserved = this.router.unserved(path, headers, scope);
    if (unserved) {
      const response = unservedServiceResponse(unserved, this.router.served, { headers, requestId, formAction: query.get('Action') ?? formAction });
      return send(res, withCors(withRequestId(response, requestId), verdict.cors));
    }

    // AWS checks the credential scope's Region before anything else looks at the request.
    const regionRefusal = service ? refuseUnknownRegion(request, scope, service, this.ctx.defaultRegion) : undefined;
    if (regionRefusal) return send(res, withCors(withRequestId(regionRefusal, requestId), verdict.cors));

    const trust = this.ctx.trust;
    // Paths a service owns outright (code download links, custom-resource answers) carry their own proof;
    // bucket-CORS preflights carry no signature, as on S3.
    const ownAuth = (service?.routes.pathPrefixes?.some((prefix) => path.startsWith(prefix)) ?? false) || method === 'OPTIONS';
    if (service && trust && !ownAuth) {
      try {
        const rawQuery = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);
        const { principal, verifyStreamingChunks } = trust.authenticator.authenticate({ method, rawPath: path, rawQuery, headers: { ...headers, host }, body }, service.name);
        request.principal = principal;
        if (verifyStreamingChunks) request.verifyStreamingChunks = verifyStreamingChunks;
        request.accountId = principal.accountId ?? this.ctx.defaultAccountId;
        if (trust.mode !== 'off') {
          request.authorize = (operation, input) => trust.authorizer.authorize(principal, service.name, operation, input, request);
        }
      } catch (err) {
        const response = errorFor(headers, method, requestId, service, toAwsError(err), request);
        return send(res, withCors(withRequestId(response, requestId), verdict.cors));
      }
    }

    let response: ServiceResponse;
    if (!service) {
      response = errorFor(headers, method, requestId, service, new AwsError('UnknownService', `localcloud cannot tell which service this request is for (${method} ${path}); set X-Amz-Target or sign it with SigV4`, 400));
    } else {
      if (state !== 'running') {
        response = serviceUnavailable(headers, method, requestId, service, state, request);
      } else {
        try {
          response = await service.handle(request);
        } catch (err) {
          response = errorFor(headers, method, requestId, service, toAwsError(err), request);
        }
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

}

/**
 * A service that is still starting after the wait, or failed to start: 503,
 * which the AWS SDKs retry with backoff, and Retry-After for other clients.
 */
function serviceUnavailable(
  headers: Record<string, string>,
  method: string,
  requestId: string,
  service: ServiceProvider,
  state: string,
  req: ServiceRequest,
): ServiceResponse {
  const message = state === 'error'
    ? `The ${service.name} service failed to start; see the local cloud's log`
    : `The ${service.name} service is still starting (loading its state); retry shortly`;
  const response = errorFor(headers, method, requestId, service, new AwsError('ServiceUnavailable', message, 503), req);
  return { ...response, headers: { ...response.headers, 'retry-after': '5' } };
}

/** An error in the wire shape the request's service speaks (S3's XML, Lambda's and JSON services' JSON, the query XML). */
function errorFor(
  headers: Record<string, string>,
  method: string,
  requestId: string,
  service: ServiceProvider | undefined,
  error: AwsError,
  req?: ServiceRequest,
): ServiceResponse {
  if (service?.errorResponse && req) return service.errorResponse(error, req);
  if (headers['x-amz-target'] || service?.name === 'lambda') return jsonError(error);
  if (service?.name === 's3') return s3ErrorResponse(error, method, requestId);
  return queryError(error, requestId);
}

function withCors(response: ServiceResponse, cors: Record<string, string>): ServiceResponse {
  response.headers = { ...response.headers, ...cors };
  return response;
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

/** The request ended before its body did: the connection is closed, there is nobody to answer. */
class RequestAborted extends Error {}

function readBody(req: AnyRequest, maxBytes: number, stallTimeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Only silence counts: the timer restarts with every chunk, so a large upload that keeps flowing is never cut.
    const stall = setTimeout(() => {
      req.removeAllListeners('data');
      chunks.length = 0;
      reject(new AwsError('RequestTimeout', `Your socket connection to the server was not read from within the timeout period: the request body sent nothing for ${stallTimeoutMs / 1000} s`, 400));
    }, stallTimeoutMs);
    stall.unref();
    const settle = () => clearTimeout(stall);
    req.on('data', (c: Buffer) => {
      stall.refresh();
      size += c.length;
      if (size > maxBytes) {
        settle();
        req.removeAllListeners('data');
        req.resume();
        chunks.length = 0;
        reject(new AwsError('EntityTooLarge', `The request body exceeds localcloud's limit of ${maxBytes} bytes; upload large objects in parts (multipart upload)`, 413));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      settle();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    const aborted = () => {
      settle();
      reject(new RequestAborted('the client closed the connection before the request body ended'));
    };
    req.on('error', aborted);
    req.on('aborted', aborted);
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
