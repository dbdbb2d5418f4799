import { AwsError } from '../../core/errors.js';

/**
 * Decoder for S3's `aws-chunked` content encoding, which SDKs use to stream
 * uploads whose checksum is only known at the end:
 *
 *     <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n
 *     ...
 *     0[;chunk-signature=<sig>]\r\n
 *     [<trailer-name>:<value>\r\n ...]
 *     \r\n
 *
 * Unsigned variants (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) omit the chunk
 * signatures; signed ones (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`)
 * carry one per chunk and an `x-amz-trailer-signature` trailer. The chunks are
 * kept with their signatures so that the SigV4 verifier
 * (`verifyChunkSignatures` in localcloud/auth/sigv4) can check the chain.
 */
export interface DecodedAwsChunked {
  payload: Buffer;
  /** Lower-cased trailer names, e.g. `x-amz-checksum-crc32`, in the order sent. */
  trailers: Record<string, string>;
  chunkSignatures: string[];
  /** Every chunk as sent, the final empty one included, with its `chunk-signature` if any. */
  chunks: { signature?: string; data: Buffer }[];
}

const CRLF = Buffer.from('\r\n');
/** A chunk header is hex digits plus an optional 64-hex signature: far below this. */
const MAX_CHUNK_HEADER = 4096;

export class AwsChunkedError extends AwsError {
  constructor(message: string) {
    super('IncompleteBody', `The request body is not valid aws-chunked encoding: ${message}`, 400);
  }
}

/** True when the request body is aws-chunked (by header or by streaming payload hash). */
export function isAwsChunked(headers: Record<string, string>): boolean {
  const encodings = (headers['content-encoding'] ?? '').split(',').map((e) => e.trim().toLowerCase());
  return encodings.includes('aws-chunked') || (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
}

/** Removes `aws-chunked` from a Content-Encoding list; undefined when nothing is left. */
export function stripAwsChunked(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const rest = contentEncoding
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(',') : undefined;
}

export function decodeAwsChunked(body: Buffer): DecodedAwsChunked {
  const pieces: Buffer[] = [];
  const chunkSignatures: string[] = [];
  const chunks: DecodedAwsChunked['chunks'] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, offset);
    if (lineEnd < 0 || lineEnd - offset > MAX_CHUNK_HEADER) throw new AwsChunkedError('missing chunk header');
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const [sizeText, ...extensions] = header.split(';');
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText.trim())) throw new AwsChunkedError(`bad chunk size "${sizeText}"`);
    const size = parseInt(sizeText.trim(), 16);
    let signature: string | undefined;
    for (const extension of extensions) {
      const [name, value] = extension.split('=');
      if (name.trim() === 'chunk-signature' && value) signature = value.trim();
    }
    if (signature !== undefined) chunkSignatures.push(signature);
    offset = lineEnd + CRLF.length;
    if (size === 0) {
      chunks.push({ signature, data: body.subarray(offset, offset) });
      break;
    }
    if (offset + size + CRLF.length > body.length) throw new AwsChunkedError('chunk is shorter than its declared size');
    chunks.push({ signature, data: body.subarray(offset, offset + size) });
    pieces.push(body.subarray(offset, offset + size));
    offset += size;
    if (!body.subarray(offset, offset + CRLF.length).equals(CRLF)) throw new AwsChunkedError('chunk data is not followed by CRLF');
    offset += CRLF.length;
  }
  return { payload: pieces.length === 1 ? pieces[0] : Buffer.concat(pieces), trailers: parseTrailers(body.subarray(offset)), chunkSignatures, chunks };
}

/** Trailer lines up to the blank line; a body that simply ends after the last chunk has none. */
function parseTrailers(rest: Buffer): Record<string, string> {
  const trailers: Record<string, string> = {};
  const lines = rest.toString('latin1').split('\r\n');
  for (const line of lines) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new AwsChunkedError(`malformed trailer "${line}"`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return trailers;
}
