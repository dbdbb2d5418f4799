/**
 * What verifying a signature costs per request: a 1 KB DynamoDB-style JSON
 * request signed by smithy's signer, verified again and again with the same
 * key (the signing key comes from the cache after the first call), and once
 * with the cache defeated. Run: `npx tsx bench/sigv4-verify.ts`.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { buildQueryString } from '@smithy/core/protocols';
import { readAuth, verify, type SignedRequest } from '../localcloud/auth/sigv4/index.js';

class Sha256 {
  private h;
  constructor(private readonly secret?: string | ArrayBufferView) {
    this.h = this.fresh();
  }
  private fresh() {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength);
    return createHmac('sha256', key);
  }
  update(data: string | ArrayBufferView) {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {
    this.h = this.fresh();
  }
}

const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const body = JSON.stringify({ TableName: 'SensorData', Item: { id: { S: 'x'.repeat(950) } } });
const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey }, sha256: Sha256 as never });
const signed = await signer.sign({
  method: 'POST',
  protocol: 'http:',
  hostname: 'localhost',
  port: 4566,
  path: '/',
  query: {},
  headers: {
    host: 'localhost:4566',
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.PutItem',
    'content-length': String(body.length),
    'amz-sdk-invocation-id': '8d9f6a1c-0000-4000-8000-000000000000',
    'amz-sdk-request': 'attempt=1; max=3',
  },
  body,
});
const headers: Record<string, string> = {};
for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
const req: SignedRequest = { method: 'POST', rawPath: '/', rawQuery: buildQueryString(signed.query ?? {}), headers, body: Buffer.from(body) };
const now = new Date();

function measure(label: string, iterations: number, run: (i: number) => void): void {
  for (let i = 0; i < 2000; i++) run(i); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(i);
  const perCall = Number(process.hrtime.bigint() - start) / iterations / 1000;
  console.log(`${label.padEnd(58)} ${perCall.toFixed(1)} µs/request`);
}

console.log(`request: ${body.length} bytes of JSON, ${Object.keys(headers).length} headers`);
measure('readAuth + verify (signing key cached)', 50_000, () => verify(req, readAuth(req), secretAccessKey, now));
measure('readAuth + verify (signing key derived every time)', 20_000, (i) => {
  // A different secret each time: the cache never hits, the four HMACs run, and the signature fails.
  try {
    verify(req, readAuth(req), `${secretAccessKey}${i}`, now);
  } catch {}
});
