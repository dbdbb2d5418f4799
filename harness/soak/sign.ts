/**
 * SigV4 for the fuzz's hand-built requests, as the SDK signs: the Smithy
 * signer with Node's SHA-256, a fresh date, the exact body (its hash in
 * x-amz-content-sha256, which S3 checks against the body and the other
 * services recompute). The request keeps its path and headers as built;
 * only `host`, `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`
 * and `authorization` (or the presigned query) are added.
 */
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import type { SignAs } from './fuzz/case.js';
import type { HttpCall } from './wire.js';

const sha256 = Hash.bind(null, 'sha256');

export async function signCall(baseUrl: string, call: HttpCall, as: SignAs): Promise<HttpCall> {
  const url = new URL(baseUrl);
  const host = `${url.hostname}:${url.port}`;
  const question = call.path.indexOf('?');
  const pathname = question < 0 ? call.path : call.path.slice(0, question);
  const rawQuery = question < 0 ? '' : call.path.slice(question + 1);
  const signer = new SignatureV4({
    service: as.service,
    region: as.region,
    credentials: as.keys(),
    sha256,
    // S3 signs the path as sent; every other service signs it normalized and encoded again.
    uriEscapePath: as.service !== 's3',
  });
  const request: HttpRequest = {
    method: call.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: pathname,
    query: parseQuery(rawQuery),
    headers: { ...call.headers, host },
    body: as.signedBody ?? call.body ?? '',
  };
  const signingDate = as.signingDate?.();
  let signed: { path: string; headers: Record<string, string> };
  if (as.presignSeconds !== undefined) {
    const presigned = await signer.presign(request, { expiresIn: as.presignSeconds, signingDate });
    signed = { path: `${pathname}?${formatQuery(presigned.query)}`, headers: { ...call.headers, host } };
  } else {
    const out = await signer.sign(request, { signingDate });
    signed = { path: call.path, headers: { ...(out.headers as Record<string, string>) } };
  }
  if (as.tamper) signed = as.tamper(signed);
  return { ...call, path: signed.path, headers: signed.headers };
}

/** The query as the signer wants it: decoded names and values; a name without `=` has the value null (S3's `?tagging`). */
function parseQuery(raw: string): QueryParameterBag {
  const query: QueryParameterBag = {};
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? null : decode(part.slice(eq + 1));
    const existing = query[name];
    if (existing === undefined || existing === null) query[name] = value;
    else query[name] = [...(Array.isArray(existing) ? existing : [existing]), value ?? ''];
  }
  return query;
}

function formatQuery(query: QueryParameterBag | undefined): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(v === null ? encode(name) : `${encode(name)}=${encode(v)}`);
  }
  return parts.join('&');
}

/** Percent-decoding that keeps what does not decode (the fuzz sends bad escapes on purpose). */
function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** RFC 3986 encoding, as SigV4 canonicalizes. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
