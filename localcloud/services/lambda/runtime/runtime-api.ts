import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An invocation as the runtime receives it from `GET /runtime/invocation/next`. */
export interface RuntimeInvocation {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
  cognitoIdentity?: string;
}

/** What the runtime reported for an invocation. */
export type RuntimeResult =
  | { kind: 'response'; payload: Buffer }
  | { kind: 'error'; payload: Buffer; errorType: string };

export interface RuntimeApiEvents {
  /** The runtime asked for work: init is over, or the previous invocation is. */
  onNext(): void;
  onResult(requestId: string, result: RuntimeResult): void;
  onInitError(payload: Buffer, errorType: string): void;
}

const PREFIX = '/2018-06-01/runtime';
/** Lambda's synchronous response limit; larger responses fail the invocation. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * The Lambda Runtime API for one execution environment, on its own loopback
 * port (the value of AWS_LAMBDA_RUNTIME_API). One server per environment
 * mirrors AWS, where each sandbox has its own endpoint: a runtime needs no
 * identity beyond the address it was given, so any Runtime API client (ours,
 * or AWS's runtime interface client) works unchanged, and the gateway's port
 * never carries long-polls or internal traffic.
 */
export class RuntimeApiServer {
  private readonly server: http.Server;
  /** A parked `GET /next`, waiting for the environment to be given an invocation. */
  private waiting?: http.ServerResponse;
  private queued?: RuntimeInvocation;
  private inFlight?: string;

  constructor(private readonly events: RuntimeApiEvents) {
    this.server = http.createServer((req, res) => this.route(req, res));
    this.server.keepAliveTimeout = 0;
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Hands an invocation to the runtime: at once if it is waiting, else on its next `GET /next`. */
  deliver(invocation: RuntimeInvocation): void {
    this.inFlight = invocation.requestId;
    if (this.waiting) {
      const res = this.waiting;
      this.waiting = undefined;
      sendInvocation(res, invocation);
    } else {
      this.queued = invocation;
    }
  }

  close(): void {
    this.waiting?.destroy();
    this.waiting = undefined;
    this.server.close();
    this.server.closeAllConnections();
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) return this.next(res);
    const result = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && result) {
      let requestId: string;
      try {
        requestId = decodeURIComponent(result[1]);
      } catch {
        return reply(res, 400, { errorMessage: 'invalid request id', errorType: 'InvalidRequestID' });
      }
      return this.result(req, res, requestId, result[2] as 'response' | 'error');
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      readBody(req, MAX_RESPONSE_BYTES).then(({ body }) => {
        reply(res, 202, { status: 'OK' });
        this.events.onInitError(body, errorTypeOf(req, body));
      });
      return;
    }
    reply(res, 404, { errorType: 'InvalidRequest', errorMessage: `Unknown Runtime API route: ${req.method} ${url}` });
  }

  private next(res: http.ServerResponse): void {
    this.waiting?.destroy();
    this.waiting = undefined;
    this.events.onNext();
    if (this.queued) {
      const invocation = this.queued;
      this.queued = undefined;
      sendInvocation(res, invocation);
    } else {
      this.waiting = res;
      res.on('close', () => {
        if (this.waiting === res) this.waiting = undefined;
      });
    }
  }

  private result(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, kind: 'response' | 'error'): void {
    readBody(req, MAX_RESPONSE_BYTES).then(({ body, tooLarge }) => {
      if (requestId !== this.inFlight) {
        reply(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
        return;
      }
      this.inFlight = undefined;
      if (tooLarge) {
        reply(res, 413, { errorType: 'RequestEntityTooLarge', errorMessage: 'Response payload too large' });
        const payload = Buffer.from(
          JSON.stringify({
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          }),
        );
        this.events.onResult(requestId, { kind: 'error', payload, errorType: 'Function.ResponseSizeTooLarge' });
        return;
      }
      reply(res, 202, { status: 'OK' });
      this.events.onResult(
        requestId,
        kind === 'response' ? { kind, payload: body } : { kind, payload: body, errorType: errorTypeOf(req, body) },
      );
    });
  }
}

function sendInvocation(res: http.ServerResponse, invocation: RuntimeInvocation): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'lambda-runtime-aws-request-id': invocation.requestId,
    'lambda-runtime-deadline-ms': String(invocation.deadlineMs),
    'lambda-runtime-invoked-function-arn': invocation.invokedFunctionArn,
    'lambda-runtime-trace-id': invocation.traceId,
    'content-length': String(invocation.payload.length),
  };
  if (invocation.clientContext) headers['lambda-runtime-client-context'] = invocation.clientContext;
  if (invocation.cognitoIdentity) headers['lambda-runtime-cognito-identity'] = invocation.cognitoIdentity;
  res.writeHead(200, headers);
  res.end(invocation.payload);
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function errorTypeOf(req: http.IncomingMessage, body: Buffer): string {
  const header = req.headers['lambda-runtime-function-error-type'];
  if (typeof header === 'string' && header) return header;
  try {
    const parsed = JSON.parse(body.toString('utf8'));
    if (typeof parsed?.errorType === 'string') return parsed.errorType;
  } catch {
    // not JSON: fall through
  }
  return 'Unhandled';
}

/** Reads a body, keeping at most `limit` bytes (the rest is drained so the runtime's request completes). */
function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit }));
    req.on('error', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit }));
  });
}
