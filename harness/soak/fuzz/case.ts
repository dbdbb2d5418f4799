/** One hostile request of the garbage fuzz, and the helpers every class of them shares. */
import type { Expectation } from '../aws-shape.js';
import type { HttpCall } from '../wire.js';

export type FuzzRequest = ({ kind: 'http' } & HttpCall) | { kind: 'raw'; bytes: Buffer };

export interface FuzzCase {
  /** A short description that, with the class, tells a reader exactly what was sent. */
  label: string;
  request: FuzzRequest;
  expect: Expectation;
  /** Kept in the quick run too: the known-bad inputs of issue 11, never sampled away. */
  essential?: boolean;
}

export interface FuzzClass {
  name: string;
  cases: FuzzCase[];
}

export const SOAK_REGION = 'us-east-1';

/**
 * An Authorization header with a SigV4 credential scope: the cloud reads the
 * caller's region, account and service from it (it does not verify the
 * signature), so a raw request reaches the same code an SDK's would.
 */
export function signedHeaders(service: string, region = SOAK_REGION, accessKeyId = 'AKIASOAKTEST0000000'): Record<string, string> {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': '20250101T000000Z',
  };
}

/** An AWS JSON-protocol call (X-Amz-Target) with whatever body. */
export function jsonCall(service: string, targetPrefix: string, operation: string, body: Buffer | string, contentType = 'application/x-amz-json-1.1'): FuzzRequest {
  return {
    kind: 'http',
    method: 'POST',
    path: '/',
    headers: { ...signedHeaders(service), 'content-type': contentType, 'x-amz-target': `${targetPrefix}.${operation}` },
    body,
  };
}

/** An AWS query-protocol call: a form body, signed for `service`. */
export function queryCall(service: string, form: string): FuzzRequest {
  return {
    kind: 'http',
    method: 'POST',
    path: '/',
    headers: { ...signedHeaders(service), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form,
  };
}

/** `depth` levels of `open`…`close` around `inner`, built without recursion. */
export function nested(open: string, close: string, inner: string, depth: number): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Bytes that are not valid UTF-8: a lone continuation byte, an overlong encoding, a truncated sequence. */
export const INVALID_UTF8 = Buffer.from([0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82]);

/** Keeps the essential cases and every `step`-th of the others: a smaller, deterministic run. */
export function sample(cases: FuzzCase[], step: number): FuzzCase[] {
  if (step <= 1) return cases;
  return cases.filter((c, i) => c.essential || i % step === 0);
}
