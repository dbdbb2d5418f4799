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
