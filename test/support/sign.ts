import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** The default account's root, as every local AWS tool configures it. */
export const ROOT_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How a raw request is signed: the SigV4 signing name, and optionally region and credentials. */
export interface SigningOptions {
  /** Signing name (`dynamodb`, `kinesis`, `monitoring`, `s3`, ...). */
  service: string;
  /** Default us-east-1. */
  region?: string;
  /** Default the account root `test`/`test`. */
  credentials?: Credentials;
  /** When the request is signed; default now. */
  signingDate?: Date;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData) =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The SHA-256 (and HMAC when given a secret) SignatureV4 expects, from node:crypto. */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/**
 * The headers of a SigV4-signed request, as an SDK would send them: `headers`
 * plus host, x-amz-date, authorization (and x-amz-content-sha256 for S3).
 * `target` is the request target as sent on the wire (`/path?query`, still
 * percent-encoded); `url` is the cloud's base URL (its host is signed unless
 * `headers.host` says otherwise).
 */
export async function signedHeaders(
  url: string,
  request: { method: string; target: string; headers?: Record<string, string>; body?: string | Uint8Array },
  options: SigningOptions,
): Promise<Record<string, string>> {
  const base = new URL(url);
  const queryStart = request.target.indexOf('?');
  const path = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const query: Record<string, string | string[]> = {};
  if (queryStart >= 0) {
    for (const [name, value] of new URLSearchParams(request.target.slice(queryStart + 1))) {
      const seen = query[name];
      query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host ??= base.host;
  const s3 = options.service === 's3';
  if (s3) headers['x-amz-content-sha256'] ??= createHash('sha256').update(request.body ?? '').digest('hex');
  const signer = new SignatureV4({
    service: options.service,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? ROOT_CREDENTIALS,
    sha256: Sha256,
    // The path is already as on the wire; every service but S3 signs it encoded once more.
    uriEscapePath: !s3,
    applyChecksum: !s3,
  });
  const signed = await signer.sign(
    { method: request.method, protocol: base.protocol, hostname: base.hostname, port: Number(base.port) || undefined, path, query, headers, body: request.body },
    { signingDate: options.signingDate },
  );
  return signed.headers as Record<string, string>;
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const EMPTY_SHA256 = sha256Hex('');

export interface SignedStreamingUpload {
  /** The request's headers, seed signature included (`host` among them: drop it for fetch). */
  headers: Record<string, string>;
  /** The aws-chunked body, each chunk signed. */
  body: Buffer;
  /** The chunk signatures in order, the final empty chunk's last. */
  chunkSignatures: string[];
}

/**
 * A PUT with a signed streaming body, built as "Signature Calculations for the
 * Authorization Header: Transferring Payload in Multiple Chunks" (S3 API
 * Reference) describes it, with nothing but HMAC-SHA256: the header signature
 * is the seed, and each chunk's string to sign is
 *
 *     AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous-signature \n sha256("") \n sha256(chunk)
 *
 * ending with an empty chunk. With `trailers`, the stream is
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` and a last signature
 * (`x-amz-trailer-signature`) covers the trailing headers.
 */
export async function signedStreamingUpload(
  url: string,
  request: { path: string; chunks: readonly (string | Buffer)[]; headers?: Record<string, string>; trailers?: readonly [string, string][] },
  options: Omit<SigningOptions, 'service'> = {},
): Promise<SignedStreamingUpload> {
  const chunks = request.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  const trailers = request.trailers;
  const headers: Record<string, string> = {
    ...request.headers,
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': trailers ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'x-amz-decoded-content-length': String(chunks.reduce((n, c) => n + c.length, 0)),
    ...(trailers ? { 'x-amz-trailer': trailers.map(([name]) => name).join(',') } : {}),
  };
  const region = options.region ?? 'us-east-1';
  const credentials = options.credentials ?? ROOT_CREDENTIALS;
  const signed = await signedHeaders(url, { method: 'PUT', target: request.path, headers }, { ...options, region, credentials, service: 's3' });
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.authorization)![1];
  const amzDate = signed['x-amz-date'];
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${region}/s3/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), 's3'), 'aws4_request');

  const parts: Buffer[] = [];
  const chunkSignatures: string[] = [];
  let previous = seed;
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    previous = hmac(key, `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${previous}\n${EMPTY_SHA256}\n${sha256Hex(chunk)}`).toString('hex');
    chunkSignatures.push(previous);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`));
    if (chunk.length > 0) parts.push(chunk, Buffer.from('\r\n'));
  }
  if (trailers) {
    const canonical = trailers.map(([name, value]) => `${name}:${value}\n`).join('');
    const trailerSignature = hmac(key, `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${previous}\n${sha256Hex(canonical)}`).toString('hex');
    parts.push(Buffer.from(`${trailers.map(([name, value]) => `${name}:${value}\r\n`).join('')}x-amz-trailer-signature:${trailerSignature}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return { headers: signed, body: Buffer.concat(parts), chunkSignatures };
}
