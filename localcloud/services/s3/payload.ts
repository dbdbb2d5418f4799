import { AwsError } from '../../core/errors.js';
import type { ServiceRequest } from '../../core/types.js';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked.js';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfHeader,
  checksumHeaderName,
  computeChecksum,
  isBase64,
  isWellFormedChecksum,
  md5,
  sha256Hex,
  type ChecksumAlgorithm,
  type ObjectChecksum,
} from './checksums.js';
import { S3Error } from './errors.js';

/** A request body after transfer decoding and integrity checks. */
export interface RequestPayload {
  body: Buffer;
  /** The additional checksum the client sent (header or trailer), already verified. */
  checksum?: ObjectChecksum;
}

/**
 * Decodes `aws-chunked` bodies and verifies every integrity claim the client
 * made about them: the chunk signatures of a signed stream (through the
 * gateway's `verifyStreamingChunks`), `x-amz-decoded-content-length`, `x-amz-checksum-*` headers or
 * trailers, `Content-MD5`, and a hex `x-amz-content-sha256`. A request that
 * passes has exactly the bytes the client meant to send.
 *
 * Checksums in a presigned URL's query string are deliberately ignored: S3
 * does not support flexible checksums on presigned uploads, yet SDK v3 signs the
 * checksum of an empty body into every presigned PutObject URL.
 */
export function readPayload(req: ServiceRequest): RequestPayload {
  let body = req.body;
  let trailers: Record<string, string> = {};
  if (isAwsChunked(req.headers)) {
    const decoded = decodeAwsChunked(req.body);
    // Signed chunks are checked before anything else is read from them.
    req.verifyStreamingChunks?.(decoded.chunks, decoded.trailers);
    body = decoded.payload;
    trailers = decoded.trailers;
    const declared = req.headers['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== body.length) {
      throw new AwsError('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header', 400);
    }
  } else {
    verifyContentSha256(req.headers['x-amz-content-sha256'], body);
  }
  verifyContentMd5(req.headers['content-md5'], body);
  const checksum = claimedChecksum(req.headers, trailers);
  if (checksum) verifyChecksum(checksum, body);
  return { body, checksum };
}

function claimedChecksum(headers: Record<string, string>, trailers: Record<string, string>): ObjectChecksum | undefined {
  const claims: ObjectChecksum[] = [];
  for (const source of [headers, trailers]) {
    for (const [name, value] of Object.entries(source)) {
      const algorithm = checksumAlgorithmOfHeader(name);
      if (algorithm) claims.push({ algorithm, value });
    }
  }
  if (claims.length > 1) {
    throw S3Error.invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  const announcedTrailer = headers['x-amz-trailer']?.trim().toLowerCase();
  if (announcedTrailer && checksumAlgorithmOfHeader(announcedTrailer) && trailers[announcedTrailer] === undefined) {
    throw new AwsError('MalformedTrailerError', `The request announced the trailer ${announcedTrailer} but did not send it.`, 400);
  }
  const sdkAlgorithm = headers['x-amz-sdk-checksum-algorithm']?.toUpperCase();
  if (sdkAlgorithm !== undefined) {
    if (!CHECKSUM_ALGORITHMS.includes(sdkAlgorithm as ChecksumAlgorithm)) {
      throw S3Error.invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
    if (claims.length === 0) {
      throw S3Error.invalidRequest('x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
    }
  }
  return claims[0];
}

function verifyChecksum(claim: ObjectChecksum, body: Buffer): void {
  if (!isWellFormedChecksum(claim.algorithm, claim.value)) {
    throw S3Error.invalidRequest(`Value for ${checksumHeaderName(claim.algorithm)} header is invalid.`);
  }
  if (computeChecksum(claim.algorithm, body) !== claim.value) throw S3Error.badDigest(claim.algorithm);
}

function verifyContentMd5(contentMd5: string | undefined, body: Buffer): void {
  if (contentMd5 === undefined) return;
  if (!isBase64(contentMd5) || Buffer.from(contentMd5, 'base64').length !== 16) {
    throw new AwsError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { 'Content-MD5': contentMd5 });
  }
  if (!md5(body).equals(Buffer.from(contentMd5, 'base64'))) {
    throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
      ExpectedDigest: contentMd5,
      CalculatedDigest: md5(body).toString('base64'),
    });
  }
}

/** A signed payload names its own SHA-256; UNSIGNED-PAYLOAD and streaming markers do not. */
function verifyContentSha256(claimed: string | undefined, body: Buffer): void {
  if (claimed === undefined || !/^[0-9a-f]{64}$/i.test(claimed)) return;
  const actual = sha256Hex(body);
  if (actual !== claimed.toLowerCase()) {
    throw new AwsError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
      ClientComputedContentSHA256: claimed,
      S3ComputedContentSHA256: actual,
    });
  }
}
