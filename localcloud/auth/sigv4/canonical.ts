import { createHash } from 'node:crypto';
import { normalizeEncoding, uriEncode } from './uri-encoding.js';

/**
 * The canonical request of AWS Signature Version 4: the request reduced to
 * the one spelling both sides can compute. Every function here works from
 * the request as sent on the wire, because that is what the signer saw.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * S3 signs the path once encoded, as the client sent it, and never removes
 * `.`, `..` or `//` (they are part of object keys). Each segment is still
 * re-encoded strictly, so `%7e` and `~`, or a raw `!` and `%21`, compare equal.
 */
export function s3CanonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath
    .split('/')
    .map((segment) => normalizeEncoding(segment, false))
    .join('/');
}

/**
 * Every other service signs the normalized path encoded a second time: the
 * signer encodes each segment of a path that is already encoded, so Lambda's
 * `/functions/arn%3Aaws%3A...` is signed as `/functions/arn%253Aaws%253A...`.
 * Normalization removes `.` and `..` segments and empty ones (`//`).
 */
export function doubleEncodedCanonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  if (segments.length === 0) return '/';
  return `/${segments.join('/')}${rawPath.endsWith('/') ? '/' : ''}`;
}

/**
 * Parameters decoded and re-encoded strictly, sorted by name and then value
 * (as encoded text, by code unit), a parameter without `=` written `name=`.
 * `exclude` names a parameter left out, compared case-insensitively:
 * X-Amz-Signature of a presigned URL.
 */
export function canonicalQueryString(rawQuery: string, exclude?: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  const excluded = exclude?.toLowerCase();
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const name = normalizeEncoding(rawName, true);
    if (excluded !== undefined && name.toLowerCase() === excluded) continue;
    pairs.push([name, eq < 0 ? '' : normalizeEncoding(piece.slice(eq + 1), true)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** A header's canonical value: each occurrence trimmed, whitespace runs made one space, occurrences joined by `,`. */
export function canonicalHeaderValue(value: string | readonly string[] | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.trim().replace(/\s+/g, ' ');
  return value.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/** `name:value\n` for each signed header, in the order of SignedHeaders. */
export function canonicalHeaders(headers: Record<string, string | readonly string[]>, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) out += `${name}:${canonicalHeaderValue(headers[name])}\n`;
  return out;
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [
    parts.method.toUpperCase(),
    parts.canonicalUri,
    parts.canonicalQuery,
    parts.canonicalHeaders,
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
