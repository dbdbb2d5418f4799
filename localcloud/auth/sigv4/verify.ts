import {
  ALGORITHM,
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  credentialScope,
  doubleEncodedCanonicalUri,
  s3CanonicalUri,
  sha256Hex,
  stringToSign,
} from './canonical.js';
import { AuthFailure } from './failure.js';
import { sign, signaturesMatch, signingKey } from './signing-key.js';
import { verifySigV2 } from './sigv2.js';
import { checkSkew, MAX_SKEW_MS, parseAmzDate } from './time.js';
import type { AuthInfo, SignedRequest, SigV4Auth } from './types.js';
import { percentDecode } from './uri-encoding.js';

/** What the endpoint that received the request expects of its credential scope. */
export interface VerifyOptions {
  /** The signing name of the service that answers (`dynamodb`, `s3`, ...). */
  service?: string;
  region?: string;
}

/** Values of x-amz-content-sha256 that stand for a payload the header signature does not cover. */
export const SPECIAL_PAYLOAD_HASHES: ReadonlySet<string> = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Checks a request's signature against the secret of its access key, then
 * its time, the way AWS orders them: a request with a wrong signature is told
 * so even when it is also late. Throws AuthFailure; returns when the request
 * is exactly what the key's owner signed, within its validity.
 *
 * For S3 streaming uploads this covers the headers (the seed signature);
 * the chunks are checked with `verifyStreamingPayload` once decoded.
 */
export function verify(req: SignedRequest, auth: AuthInfo, secretAccessKey: string, now: Date, options: VerifyOptions = {}): void {
  switch (auth.kind) {
    case 'none':
      throw new AuthFailure('MissingAuthentication', 'Request is missing Authentication Token');
    case 'sigv2-header':
    case 'sigv2-presigned':
      return verifySigV2(req, auth, secretAccessKey, now);
    default:
      return verifySigV4(req, auth, secretAccessKey, now, options);
  }
}

function verifySigV4(req: SignedRequest, auth: SigV4Auth, secretAccessKey: string, now: Date, options: VerifyOptions): void {
  const presigned = auth.kind === 'presigned';
  checkScope(auth, options);
  checkSignedHeaders(req, auth);

  const isS3 = auth.service === 's3';
  const canonical = canonicalRequest({
    method: req.method,
    canonicalUri: isS3 ? s3CanonicalUri(req.rawPath) : doubleEncodedCanonicalUri(req.rawPath),
    canonicalQuery: canonicalQueryString(req.rawQuery, presigned ? 'X-Amz-Signature' : undefined),
    canonicalHeaders: canonicalHeaders(req.headers, auth.signedHeaders),
    signedHeaders: auth.signedHeaders,
    payloadHash: payloadHash(req, auth),
  });
  const toSign = stringToSign(auth.amzDate, credentialScope(auth.date, auth.region, auth.service), canonical);
  const expected = sign(signingKey(secretAccessKey, auth.date, auth.region, auth.service), toSign);
  if (!signaturesMatch(expected, auth.signature)) {
    throw new AuthFailure('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', {
      presigned,
      accessKeyId: auth.accessKeyId,
      algorithm: ALGORITHM,
      canonicalRequest: canonical,
      stringToSign: toSign,
      signatureProvided: auth.signature,
      signatureVersion: 4,
    });
  }

  checkTime(auth, now);
  if (isS3) checkS3ContentSha256(req, auth);
}

/**
 * What `verify` checks after the signature that needs no secret: the time
 * (skew, a presigned URL's expiry) and, for S3, that a declared
 * x-amz-content-sha256 is the body's. For keys whose secret is not checked
 * (the account roots): a wrong signature is let in, a stale or stretched
 * request or a changed body is not.
 */
export function verifyWithoutSecret(req: SignedRequest, auth: AuthInfo, now: Date): void {
  if (auth.kind !== 'header' && auth.kind !== 'presigned') return;
  checkTime(auth, now);
  if (auth.service === 's3') checkS3ContentSha256(req, auth);
}

function checkScope(auth: SigV4Auth, options: VerifyOptions): void {
  const presigned = auth.kind === 'presigned';
  const requestDate = auth.amzDate.slice(0, 8);
  if (auth.date !== requestDate) {
    throw new AuthFailure(
      'ScopeMismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${requestDate}', from '${auth.amzDate}'.`,
      { presigned, scopePart: 'date', actualScopeValue: auth.date, expectedScopeValue: requestDate },
    );
  }
  if (options.service !== undefined && auth.service !== options.service) {
    throw new AuthFailure('ScopeMismatch', `Credential should be scoped to correct service: '${options.service}'. `, {
      presigned,
      scopePart: 'service',
      actualScopeValue: auth.service,
      expectedScopeValue: options.service,
    });
  }
  if (options.region !== undefined && auth.region !== options.region) {
    throw new AuthFailure('ScopeMismatch', `Credential should be scoped to a valid region, not '${auth.region}'. `, {
      presigned,
      scopePart: 'region',
      actualScopeValue: auth.region,
      expectedScopeValue: options.region,
    });
  }
}

/**
 * `host` must be signed, or a signature could be replayed against another
 * endpoint. S3 also wants every `x-amz-*` header it receives signed, since
 * those change what a request does (ACLs, storage class, metadata, ...).
 */
function checkSignedHeaders(req: SignedRequest, auth: SigV4Auth): void {
  const presigned = auth.kind === 'presigned';
  // Over HTTP/2 the SDK signs the `:authority` pseudo-header in place of `host`.
  if (!auth.signedHeaders.includes('host') && !auth.signedHeaders.includes(':authority')) {
    throw new AuthFailure('HeadersNotSigned', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", {
      presigned,
      headersNotSigned: ['host'],
    });
  }
  if (auth.service !== 's3') return;
  const unsigned = Object.keys(req.headers).filter((name) => name.startsWith('x-amz-') && !auth.signedHeaders.includes(name));
  if (unsigned.length > 0) {
    throw new AuthFailure('HeadersNotSigned', 'There were headers present in the request which were not signed', {
      presigned,
      headersNotSigned: unsigned,
    });
  }
}

/**
 * The payload line of the canonical request. A presigned S3 URL is signed
 * before its body exists: `UNSIGNED-PAYLOAD`. Otherwise x-amz-content-sha256
 * when the client sent it (S3 requires it; its streaming values announce
 * chunk signatures), else the hash of the body. Outside S3 a hex value is
 * recomputed from the body, so a body changed under an unchanged header no
 * longer matches the signature.
 */
function payloadHash(req: SignedRequest, auth: SigV4Auth): string {
  const header = req.headers['x-amz-content-sha256'];
  const declared = typeof header === 'string' ? header.trim() : undefined;
  if (auth.kind === 'presigned') {
    if (auth.service === 's3') return presignedContentSha256(req.rawQuery) ?? 'UNSIGNED-PAYLOAD';
    return declared !== undefined && SPECIAL_PAYLOAD_HASHES.has(declared) ? declared : sha256Hex(req.body);
  }
  if (declared === undefined) return sha256Hex(req.body);
  if (SPECIAL_PAYLOAD_HASHES.has(declared)) return declared;
  if (HEX_SHA256.test(declared)) return auth.service === 's3' ? declared : sha256Hex(req.body);
  throw new AuthFailure(
    'Malformed',
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
  );
}

/**
 * Whether a header-signed request outside S3 signed an x-amz-content-sha256
 * that is not the hash of its body: its signature then covers other bytes,
 * whatever the secret. Checkable without the secret, so it holds even for
 * keys whose secret is not checked (the account roots).
 */
export function signsAnotherPayload(req: SignedRequest, auth: AuthInfo): boolean {
  if (auth.kind !== 'header' || auth.service === 's3' || !auth.signedHeaders.includes('x-amz-content-sha256')) return false;
  const header = req.headers['x-amz-content-sha256'];
  const declared = typeof header === 'string' ? header.trim() : undefined;
  return declared !== undefined && HEX_SHA256.test(declared) && declared.toLowerCase() !== sha256Hex(req.body);
}

function presignedContentSha256(rawQuery: string): string | undefined {
  const match = /(?:^|&)x-amz-content-sha256=([^&]*)/i.exec(rawQuery);
  return match ? percentDecode(match[1], true).toString('utf8') : undefined;
}

/** S3 trusts a hex x-amz-content-sha256 in the canonical request, so it must hold for the body too. */
function checkS3ContentSha256(req: SignedRequest, auth: SigV4Auth): void {
  const header = req.headers['x-amz-content-sha256'];
  if (auth.kind !== 'header' || typeof header !== 'string' || !HEX_SHA256.test(header.trim())) return;
  const computed = sha256Hex(req.body);
  if (computed !== header.trim().toLowerCase()) {
    throw new AuthFailure('ContentSha256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      clientContentSha256: header.trim(),
      computedContentSha256: computed,
    });
  }
}

function checkTime(auth: SigV4Auth, now: Date): void {
  const signedAt = parseAmzDate(auth.amzDate)!;
  const base = { presigned: auth.kind === 'presigned', amzDate: auth.amzDate, serverTime: now };
  if (auth.kind === 'presigned' && auth.expiresSeconds !== undefined) {
    if (signedAt.getTime() - now.getTime() > MAX_SKEW_MS) {
      throw new AuthFailure('NotYetValid', 'Request is not yet valid', base);
    }
    const expiresAt = new Date(signedAt.getTime() + auth.expiresSeconds * 1000);
    // X-Amz-Expires=0 makes a URL that is never valid, even in the second it was signed.
    if (auth.expiresSeconds === 0 || now.getTime() > expiresAt.getTime()) {
      throw new AuthFailure('Expired', 'Request has expired', { ...base, expiresAt, expiresSeconds: auth.expiresSeconds });
    }
    return;
  }
  checkSkew(signedAt, auth.amzDate, now, base.presigned);
}
