import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { buildQueryString } from '@smithy/core/protocols';
import type { SignedRequest } from '../../../localcloud/auth/sigv4/index.js';

/** The example credentials of AWS's SigV4 documentation. */
export const DOC_KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const DOC_TIME = new Date('2013-05-24T00:00:00Z');

export const KEY = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'a-secret/with+odd=characters' };

/** Splits a URL the way it goes on the wire, without URL's normalization (which would resolve `..` or re-encode). */
export function wireRequest(method: string, url: string, headers: Record<string, string>, body: Buffer | string = Buffer.alloc(0)): SignedRequest {
  const afterScheme = url.replace(/^[a-z]+:\/\//, '');
  const slash = afterScheme.indexOf('/');
  const authority = slash < 0 ? afterScheme : afterScheme.slice(0, slash);
  const target = slash < 0 ? '/' : afterScheme.slice(slash);
  const q = target.indexOf('?');
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  lower.host ??= authority;
  return {
    method,
    rawPath: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    headers: lower,
    body: typeof body === 'string' ? Buffer.from(body) : body,
  };
}

/** An HttpRequest as an SDK v3 client hands it to its HTTP handler, put on the wire as node-http-handler does. */
export interface SmithyRequest {
  method: string;
  protocol?: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export async function fromSmithy(request: SmithyRequest): Promise<SignedRequest> {
  const query = request.query ? buildQueryString(request.query as Record<string, string | string[]>) : '';
  const host = `${request.hostname}${request.port ? `:${request.port}` : ''}`;
  const url = `http://${host}${request.path}${query ? `?${query}` : ''}`;
  return wireRequest(request.method, url, request.headers, await bodyBytes(request.body));
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

class CapturedRequest extends Error {
  constructor(readonly request: SmithyRequest) {
    super('captured');
  }
}

/** An SDK v3 `requestHandler` that keeps the signed request instead of sending it. */
export const capturingHandler = {
  handle: async (request: SmithyRequest): Promise<never> => {
    // Read a streaming body now: the signer may have wrapped it (aws-chunked).
    const body = await bodyBytes(request.body);
    throw new CapturedRequest({ ...request, body });
  },
};

/** Sends a command through a real SDK v3 client and returns what it would have put on the wire. */
export async function captureSdk(send: () => Promise<unknown>): Promise<SignedRequest> {
  try {
    await send();
  } catch (err) {
    if (err instanceof CapturedRequest) return fromSmithy(err.request);
    throw err;
  }
  throw new Error('the client sent nothing');
}

export interface BotocoreCall {
  service: string;
  operation: string;
  params: Record<string, unknown>;
  region: string;
  signature_version?: string;
  presign?: number;
  http_method?: string;
  addressing_style?: 'path' | 'virtual';
  endpoint?: string;
}

/** Signs the calls with botocore (python3), as boto3 and the AWS CLI do. */
export function botocore(calls: BotocoreCall[], key = KEY): SignedRequest[] {
  const script = fileURLToPath(new URL('./botocore-sign.py', import.meta.url));
  const out = execFileSync('python3', [script, key.accessKeyId, key.secretAccessKey], { input: JSON.stringify(calls) });
  const requests = JSON.parse(out.toString()) as { method: string; url: string; headers: Record<string, string>; body: string }[];
  return requests.map((r) => wireRequest(r.method, r.url, r.headers, Buffer.from(r.body, 'base64')));
}

export function botocoreAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import boto3, botocore'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The sha256 constructor SDK v3 signers take, on node:crypto. */
export class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  private readonly secret?: string | Buffer;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === 'string' ? secret
      : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
      : Buffer.from(secret);
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The time a signed request carries: tests verify "now", as the signer saw it. */
export function signedAt(req: SignedRequest): Date {
  const query = /(?:^|&)X-Amz-Date=(\d{8}T\d{6}Z)/.exec(req.rawQuery)?.[1];
  const text = query ?? (req.headers['x-amz-date'] as string | undefined);
  if (text) return new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 11)}:${text.slice(11, 13)}:${text.slice(13)}`);
  const date = req.headers['date'];
  if (typeof date === 'string') return new Date(date);
  throw new Error('no request time');
}
