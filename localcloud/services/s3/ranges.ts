import { S3Error } from './errors.js';

/** A byte range as `[start, end)`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range: bytes=...` header against an object of `size` bytes.
 * S3 serves a single range; a header it cannot read (or several ranges) is
 * ignored and the whole object is sent, while a well-formed range that starts
 * past the end is InvalidRange (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw S3Error.invalidRange(header, size);
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? Infinity : Number(match[2]);
  if (last < start) return undefined;
  if (start >= size) throw S3Error.invalidRange(header, size);
  return { start, end: Math.min(last + 1, size) };
}
