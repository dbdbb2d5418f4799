import { S3Error } from './errors.js';

/** What conditional requests compare against. */
export interface Validators {
  etag: string;
  /** ISO-8601. */
  lastModified: string;
}

/** Header names for the object itself, or for the source of a copy (`x-amz-copy-source-if-*`). */
const READ_HEADERS = {
  object: { ifMatch: 'if-match', ifNoneMatch: 'if-none-match', ifModifiedSince: 'if-modified-since', ifUnmodifiedSince: 'if-unmodified-since' },
  copySource: {
    ifMatch: 'x-amz-copy-source-if-match',
    ifNoneMatch: 'x-amz-copy-source-if-none-match',
    ifModifiedSince: 'x-amz-copy-source-if-modified-since',
    ifUnmodifiedSince: 'x-amz-copy-source-if-unmodified-since',
  },
};

/**
 * RFC 7232's evaluation order, as S3 applies it to GET/HEAD (and to copy
 * sources, where every failure is a 412): If-Match, else If-Unmodified-Since;
 * then If-None-Match, else If-Modified-Since.
 */
export function checkReadPreconditions(headers: Record<string, string>, object: Validators, target: 'object' | 'copySource' = 'object'): void {
  const names = READ_HEADERS[target];
  const ifMatch = headers[names.ifMatch];
  const ifNoneMatch = headers[names.ifNoneMatch];
  const modified = Math.floor(Date.parse(object.lastModified) / 1000);
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, object.etag)) throw S3Error.preconditionFailed('If-Match');
  } else {
    const since = httpDateSeconds(headers[names.ifUnmodifiedSince]);
    if (since !== undefined && modified > since) throw S3Error.preconditionFailed('If-Unmodified-Since');
  }
  const notModified = target === 'object' ? S3Error.notModified : () => S3Error.preconditionFailed('x-amz-copy-source-If-None-Match');
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, object.etag)) throw notModified();
  } else {
    const since = httpDateSeconds(headers[names.ifModifiedSince]);
    if (since !== undefined && modified <= since) throw notModified();
  }
}

/** Conditional writes: `If-None-Match: *` (create only) and `If-Match: <etag>` (replace only that version). */
export function checkWritePreconditions(headers: Record<string, string>, key: string, current: Validators | undefined): void {
  const ifNoneMatch = headers['if-none-match'];
  const ifMatch = headers['if-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw S3Error.notImplemented();
    if (current) throw S3Error.preconditionFailed('If-None-Match');
  }
  if (ifMatch !== undefined) {
    if (!current) throw S3Error.noSuchKey(key);
    if (!etagMatches(ifMatch, current.etag)) throw S3Error.preconditionFailed('If-Match');
  }
}

function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return header.split(',').some((candidate) => {
    const c = candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return c === '*' || c === bare;
  });
}

function httpDateSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
