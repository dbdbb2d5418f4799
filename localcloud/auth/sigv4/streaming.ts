import { credentialScope, EMPTY_SHA256, sha256Hex } from './canonical.js';
import { AuthFailure } from './failure.js';
import { sign, signaturesMatch, signingKey } from './signing-key.js';
import type { SigV4Auth } from './types.js';

/**
 * S3's signed streaming uploads (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`):
 * the Authorization header's signature is the seed, and each chunk's
 * signature signs the chunk's hash and the signature before it, so chunks
 * can be neither changed, dropped nor reordered. The final chunk is empty;
 * with `-TRAILER`, a last signature covers the trailing headers.
 *
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (SDK v3's default) has no chunk
 * signatures: there the header signature is all there is.
 */

export interface StreamingScope {
  secretAccessKey: string;
  /** X-Amz-Date of the request: every chunk is signed with the request's time. */
  amzDate: string;
  date: string;
  region: string;
  service: string;
}

export interface SignedChunk {
  /** The `chunk-signature=` of the chunk header; absent when the client sent none. */
  signature?: string;
  data: Buffer;
}

export interface SignedTrailer {
  /** Trailing headers in the order sent, names lower-case, without x-amz-trailer-signature. */
  headers: readonly [string, string][];
  /** The x-amz-trailer-signature the client sent. */
  signature?: string;
}

/** The scope of a header-signed request, for its chunks. */
export function streamingScope(auth: SigV4Auth, secretAccessKey: string): StreamingScope {
  return { secretAccessKey, amzDate: auth.amzDate, date: auth.date, region: auth.region, service: auth.service };
}

/**
 * Checks the chain of chunk signatures from the seed signature, including the
 * final empty chunk (which must be last) and, when given, the trailer.
 */
export function verifyChunkSignatures(
  seedSignature: string,
  scope: StreamingScope,
  chunks: readonly SignedChunk[],
  trailer?: SignedTrailer,
): void {
  const key = signingKey(scope.secretAccessKey, scope.date, scope.region, scope.service);
  const scopeText = credentialScope(scope.date, scope.region, scope.service);
  const last = chunks[chunks.length - 1];
  if (!last || last.data.length !== 0) {
    throw new AuthFailure('Malformed', 'The request body terminated unexpectedly: a signed stream ends with an empty chunk.');
  }
  let previous = seedSignature;
  for (const chunk of chunks) {
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${scope.amzDate}\n${scopeText}\n${previous}\n${EMPTY_SHA256}\n${sha256Hex(chunk.data)}`;
    previous = checkSignature(key, toSign, chunk.signature);
  }
  if (trailer) {
    const toSign = `AWS4-HMAC-SHA256-TRAILER\n${scope.amzDate}\n${scopeText}\n${previous}\n${sha256Hex(canonicalTrailer(trailer.headers))}`;
    checkSignature(key, toSign, trailer.signature);
  }
}

/** Trailing headers as signed: `name:value\n` each. */
export function canonicalTrailer(headers: readonly [string, string][]): string {
  return headers.map(([name, value]) => `${name}:${value.trim()}\n`).join('');
}

function checkSignature(key: Buffer, toSign: string, provided: string | undefined): string {
  const expected = sign(key, toSign);
  if (provided === undefined || !signaturesMatch(expected, provided)) {
    throw new AuthFailure('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', {
      algorithm: toSign.slice(0, toSign.indexOf('\n')),
      stringToSign: toSign,
      signatureProvided: provided ?? '',
      signatureVersion: 4,
    });
  }
  return expected;
}

/**
 * The trailer of a decoded `-TRAILER` stream, from the decoder's trailers
 * (names lower-case, in the order sent): x-amz-trailer-signature is the
 * signature, the other trailers what it signs. Undefined when the client
 * sent no trailer signature.
 */
export function signedTrailerOf(trailers: Record<string, string>): SignedTrailer | undefined {
  const { 'x-amz-trailer-signature': signature, ...signedHeaders } = trailers;
  return signature === undefined ? undefined : { headers: Object.entries(signedHeaders), signature };
}
