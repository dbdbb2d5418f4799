import type { Tag } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { stripAwsChunked } from './aws-chunked.js';
import { checksumHeaderName } from './checksums.js';
import { S3Error } from './errors.js';
import type { ObjectAttributes, ObjectRecord } from './records.js';

/** What S3 calls an object without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_METADATA_BYTES = 2048;
const STORAGE_CLASSES = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER',
  'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE',
]);

/** The object attributes a PutObject/CopyObject(REPLACE)/CreateMultipartUpload carries in its headers. */
export function attributesFromHeaders(headers: Record<string, string>): ObjectAttributes {
  const storageClass = headers['x-amz-storage-class'];
  if (storageClass !== undefined && !STORAGE_CLASSES.has(storageClass)) {
    throw new AwsError('InvalidStorageClass', 'The storage class you specified is not valid', 400, { StorageClassRequested: storageClass });
  }
  return {
    contentType: headers['content-type'] || undefined,
    contentEncoding: stripAwsChunked(headers['content-encoding']),
    contentDisposition: headers['content-disposition'],
    contentLanguage: headers['content-language'],
    cacheControl: headers['cache-control'],
    expires: headers['expires'],
    websiteRedirectLocation: headers['x-amz-website-redirect-location'],
    metadata: metadataFromHeaders(headers),
    tags: tagsFromHeader(headers['x-amz-tagging']),
    storageClass: storageClass === 'STANDARD' ? undefined : storageClass,
  };
}

export function metadataFromHeaders(headers: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const key = name.slice('x-amz-meta-'.length);
    metadata[key] = value;
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_METADATA_BYTES) {
    throw new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400, {
      Size: String(size),
      MaxSizeAllowed: String(MAX_METADATA_BYTES),
    });
  }
  return metadata;
}

/** `x-amz-tagging: k1=v1&k2=v2`, URL-encoded as a query string. */
export function tagsFromHeader(header: string | undefined): Tag[] {
  if (!header) return [];
  const tags = [...new URLSearchParams(header)].map(([Key, Value]) => ({ Key, Value }));
  validateTags(tags);
  return tags;
}

export function validateTags(tags: Tag[]): void {
  if (tags.length > 10) throw new AwsError('BadRequest', 'Object tags cannot be greater than 10', 400);
  const seen = new Set<string>();
  for (const { Key = '', Value = '' } of tags) {
    if (!Key || Key.length > 128 || Value.length > 256) throw new AwsError('InvalidTag', 'The TagKey you have provided is invalid', 400, { TagKey: Key });
    if (seen.has(Key)) throw new AwsError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400, { TagKey: Key });
    seen.add(Key);
  }
}

export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/**
 * The headers GetObject and HeadObject describe an object with. The stored
 * checksum is returned only when the client asks (`x-amz-checksum-mode`) and
 * the response carries the whole object, as S3 does.
 */
export function objectHeaders(record: ObjectRecord, options: { withChecksum: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    'last-modified': httpDate(record.lastModified),
    etag: record.etag,
    'accept-ranges': 'bytes',
    'content-type': record.contentType ?? DEFAULT_CONTENT_TYPE,
    'x-amz-server-side-encryption': 'AES256',
  };
  const optional: Record<string, string | undefined> = {
    'content-encoding': record.contentEncoding,
    'content-disposition': record.contentDisposition,
    'content-language': record.contentLanguage,
    'cache-control': record.cacheControl,
    expires: record.expires,
    'x-amz-website-redirect-location': record.websiteRedirectLocation,
    'x-amz-storage-class': record.storageClass,
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) headers[name] = value;
  for (const [name, value] of Object.entries(record.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (record.tags.length > 0) headers['x-amz-tagging-count'] = String(record.tags.length);
  if (options.withChecksum && record.checksum) {
    headers[checksumHeaderName(record.checksum.algorithm)] = record.checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return headers;
}

/** `response-content-type` & co. on a GET override the stored headers (presigned downloads use them). */
export function responseOverrides(query: URLSearchParams): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
    const value = query.get(`response-${name}`);
    if (value !== null) overrides[name] = value;
  }
  return overrides;
}

export function requireObjectKey(key: string): void {
  if (Buffer.byteLength(key) > 1024) throw new AwsError('KeyTooLongError', 'Your key is too long', 400);
  if (key === '') throw S3Error.invalidArgument('Key must not be empty');
}
