/** One hostile request of the garbage fuzz, and the helpers every class of them shares. */
import type { Expectation } from '../aws-shape.js';
import type { HttpCall } from '../wire.js';

/**
 * An HTTP request is signed as it is sent (SigV4, a fresh date, the exact
 * body) when it carries `sign`: IAM is enforced, so an unsigned request is
 * refused at the door and never reaches the decoders the fuzz is after. Only
 * the raw garbage and the auth-garbage class send what they build verbatim.
 */
export type FuzzRequest = ({ kind: 'http'; sign?: SignAs } & HttpCall) | { kind: 'raw'; bytes: Buffer };

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
  /** Run (signed, as the account root) before the class's first case: what a real caller would have set up. */
  prepare?: (url: string) => Promise<void>;
}

export const SOAK_REGION = 'us-east-1';

/** The account root's keys: any secret signs for it, but the signature must be well-formed SigV4. */
export const ROOT_KEYS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Whose keys sign a request, for which service (its signing name) and region, and how. */
export interface SignAs {
  service: string;
  region: string;
  /** Read when the request is sent: an IAM user's keys exist only once its class has prepared them. */
  keys: () => { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Sign as of this date (a skewed clock) instead of now. */
  signingDate?: () => Date;
  /** A presigned URL (query-string signature) valid for this many seconds, instead of an Authorization header. */
  presignSeconds?: number;
  /** Sign this body instead of the one sent: the signature (and x-amz-content-sha256) cover other bytes. */
  signedBody?: string;
  /** Changes the signed request before it is sent (a stretched X-Amz-Expires, a dropped header, ...). */
  tamper?: (signed: { path: string; headers: Record<string, string> }) => { path: string; headers: Record<string, string> };
}

/** Signed by the account root (or the 12-digit key `accessKeyId`, another account's root) for `service` in `region`. */
export function signAs(service: string, region = SOAK_REGION, accessKeyId: string = ROOT_KEYS.accessKeyId): SignAs {
  return { service, region, keys: () => ({ accessKeyId, secretAccessKey: ROOT_KEYS.secretAccessKey }) };
}

/** An AWS JSON-protocol call (X-Amz-Target) with whatever body. */
export function jsonCall(service: string, targetPrefix: string, operation: string, body: Buffer | string, contentType = 'application/x-amz-json-1.1'): FuzzRequest {
  return {
    kind: 'http',
    method: 'POST',
    path: '/',
    headers: { 'content-type': contentType, 'x-amz-target': `${targetPrefix}.${operation}` },
    body,
    sign: signAs(service),
  };
}

/** An AWS query-protocol call: a form body, signed for `service`. */
export function queryCall(service: string, form: string): FuzzRequest {
  return {
    kind: 'http',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form,
    sign: signAs(service),
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
