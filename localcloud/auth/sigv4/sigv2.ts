import { createHmac } from 'node:crypto';
import { canonicalHeaderValue } from './canonical.js';
import { AuthFailure } from './failure.js';
import { signaturesMatch } from './signing-key.js';
import { checkSkew, parseHttpDate } from './time.js';
import type { AuthInfo, SignedRequest } from './types.js';
import { percentDecode } from './uri-encoding.js';

/**
 * Legacy S3 Signature Version 2: base64 HMAC-SHA1 of
 *
 *     VERB \n Content-MD5 \n Content-Type \n Date-or-Expires \n
 *     CanonicalizedAmzHeaders CanonicalizedResource
 *
 * as the S3 developer guide ("Signing and authenticating REST requests")
 * describes it. Old tools (boto's `s3` signer, s3cmd, presigned URLs from
 * before 2019) still produce it.
 */

/** The query parameters that name a sub-resource and so are part of the signed resource. */
const SUB_RESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'inventory', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'replication', 'requestPayment',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'select', 'select-type', 'storageClass', 'tagging',
  'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website',
]);

type SigV2Auth = Extract<AuthInfo, { kind: 'sigv2-header' | 'sigv2-presigned' }>;

export function verifySigV2(req: SignedRequest, auth: SigV2Auth, secretAccessKey: string, now: Date): void {
  const presigned = auth.kind === 'sigv2-presigned';
  const toSign = sigV2StringToSign(req, presigned ? String(auth.expires) : undefined);
  const expected = createHmac('sha1', secretAccessKey).update(toSign, 'utf8').digest('base64');
  if (!signaturesMatch(expected, auth.signature, false)) {
    throw new AuthFailure('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', {
      presigned,
      accessKeyId: auth.accessKeyId,
      stringToSign: toSign,
      signatureProvided: auth.signature,
      signatureVersion: 2,
    });
  }
  if (presigned) {
    const expiresAt = new Date(auth.expires! * 1000);
    if (now.getTime() > expiresAt.getTime()) {
      throw new AuthFailure('Expired', 'Request has expired', { presigned, expiresAt, serverTime: now, signatureVersion: 2 });
    }
    return;
  }
  const dateText = canonicalHeaderValue(req.headers['x-amz-date'] ?? req.headers['date']);
  const signedAt = parseHttpDate(dateText);
  if (!signedAt) throw new AuthFailure('MissingDate', 'AWS authentication requires a valid Date or x-amz-date header', { signatureVersion: 2 });
  checkSkew(signedAt, dateText, now);
}

/** The string a SigV2 signer signs; `expires` replaces the Date line of a presigned URL. */
export function sigV2StringToSign(req: SignedRequest, expires?: string): string {
  const header = (name: string) => canonicalHeaderValue(req.headers[name]);
  // With x-amz-date the Date line stays empty: the time is signed among the x-amz-* headers.
  const dateLine = expires ?? (req.headers['x-amz-date'] !== undefined ? '' : header('date'));
  return `${req.method.toUpperCase()}\n${header('content-md5')}\n${header('content-type')}\n${dateLine}\n${amzHeaders(req)}${resource(req)}`;
}

function amzHeaders(req: SignedRequest): string {
  return Object.keys(req.headers)
    .filter((name) => name.startsWith('x-amz-'))
    .sort()
    .map((name) => {
      const value = req.headers[name];
      const values = typeof value === 'string' ? [value] : value;
      // Folded (multi-line) values are unfolded to one line.
      return `${name}:${values.map((v) => v.replace(/\s*\r?\n\s*/g, ' ').trim()).join(',')}\n`;
    })
    .join('');
}

function resource(req: SignedRequest): string {
  const path = (req.virtualHostedBucket ? `/${req.virtualHostedBucket}` : '') + (req.rawPath || '/');
  const subResources: [string, string][] = [];
  for (const piece of req.rawQuery === '' ? [] : req.rawQuery.split('&')) {
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    if (!SUB_RESOURCES.has(name)) continue;
    subResources.push([name, eq < 0 ? name : `${name}=${percentDecode(piece.slice(eq + 1), false).toString('utf8')}`]);
  }
  if (subResources.length === 0) return path;
  subResources.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${path}?${subResources.map(([, text]) => text).join('&')}`;
}
