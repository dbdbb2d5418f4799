import { S3Error } from './errors.js';

/** Which bucket and key a request addresses, whichever style it used. */
export interface S3Address {
  bucket?: string;
  key?: string;
  style: 'path' | 'virtual-host';
}

/**
 * Host names that carry the bucket in front (virtual-hosted style):
 * `<bucket>.localhost`, LocalStack's `<bucket>.s3[.<region>].localhost.localstack.cloud`,
 * and AWS's `<bucket>.s3[.<region>|-<region>][.dualstack].amazonaws.com[.cn]`,
 * which is how CloudFormation TemplateURLs and many tools name objects.
 */
const VIRTUAL_HOST_PATTERNS = [
  /^(.+)\.s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/,
  /^(.+)\.s3(?:\.[a-z0-9-]+)?\.localhost\.localstack\.cloud$/,
  /^(.+)\.localhost$/,
];

export function bucketFromHost(host: string): string | undefined {
  const hostname = stripPort(host).toLowerCase();
  for (const pattern of VIRTUAL_HOST_PATTERNS) {
    const match = pattern.exec(hostname);
    if (match) return match[1];
  }
  return undefined;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/**
 * Splits a raw (still percent-encoded) request path into bucket and key.
 * Keys are taken verbatim after the first slash, so `a//b` and a trailing
 * `dir/` survive; `+` is a literal plus in a path.
 */
export function resolveAddress(host: string, rawPath: string): S3Address {
  const virtualBucket = bucketFromHost(host);
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (virtualBucket !== undefined) {
    return { bucket: virtualBucket, key: path ? decodePathPart(path) : undefined, style: 'virtual-host' };
  }
  if (!path) return { style: 'path' };
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decodePathPart(path), style: 'path' };
  const key = path.slice(slash + 1);
  return { bucket: decodePathPart(path.slice(0, slash)), key: key ? decodePathPart(key) : undefined, style: 'path' };
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw S3Error.invalidUri();
  }
}

/**
 * Bucket and key of an S3 object URL in any form a template or tool may use:
 * `s3://bucket/key`, path style on any host (`https://s3.amazonaws.com/bucket/key`,
 * `http://127.0.0.1:4566/bucket/key`), or virtual-hosted style.
 */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  let address: S3Address;
  try {
    address = parsed.protocol === 's3:'
      ? { bucket: decodeURIComponent(parsed.hostname), key: decodeURIComponent(parsed.pathname.slice(1)) || undefined, style: 'path' }
      : resolveAddress(parsed.host, parsed.pathname);
  } catch {
    return undefined;
  }
  return address.bucket && address.key ? { bucket: address.bucket, key: address.key } : undefined;
}
