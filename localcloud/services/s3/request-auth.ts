import { AwsError } from '../../core/errors.js';
import type { ServiceRequest } from '../../core/types.js';
import { S3Error } from './errors.js';

/** A week: the longest a SigV4 presigned URL may live. */
const MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 60 * 60;

/**
 * Decides whether S3 accepts a request's credentials. The local cloud takes
 * any credentials today, so this checks only what does not need a secret:
 * the shape and lifetime of presigned URLs (SigV4 `X-Amz-*` and legacy SigV2
 * `Expires`). Verifying signatures slots in here once IAM can hand out the
 * secret for an access key: a header-signed request, a presigned URL, and the
 * per-chunk signatures of `aws-chunked` uploads (kept by the decoder) all pass
 * through this point first.
 */
export function authenticate(req: ServiceRequest, now: Date = new Date()): void {
  const query = req.query;
  if (query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential')) checkPresignedV4(query, now);
  else if (query.has('AWSAccessKeyId') && query.has('Expires')) checkPresignedV2(query, now);
}

function checkPresignedV4(query: URLSearchParams, now: Date): void {
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders']) {
    if (!query.get(name)) {
      throw queryParametersError(`Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.`);
    }
  }
  if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    throw queryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const signedAt = parseAmzDate(query.get('X-Amz-Date')!);
  if (signedAt === undefined) throw queryParametersError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  const expiresText = query.get('X-Amz-Expires');
  if (expiresText === null || !/^\d+$/.test(expiresText)) {
    throw queryParametersError('X-Amz-Expires should be a number');
  }
  const expires = Number(expiresText);
  if (expires > MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw queryParametersError(`X-Amz-Expires must be less than a week (in seconds) that is; ${MAX_PRESIGNED_EXPIRY_SECONDS}`);
  }
  const expiresAt = new Date(signedAt.getTime() + expires * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw S3Error.accessDenied('Request has expired', {
      'X-Amz-Expires': expiresText,
      Expires: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  if (signedAt.getTime() - now.getTime() > 15 * 60 * 1000) {
    throw S3Error.accessDenied('Request is not valid yet');
  }
}

function checkPresignedV2(query: URLSearchParams, now: Date): void {
  const expires = Number(query.get('Expires'));
  if (!Number.isFinite(expires)) throw S3Error.accessDenied('Invalid date (should be seconds since epoch)');
  if (now.getTime() / 1000 > expires) {
    throw S3Error.accessDenied('Request has expired', {
      Expires: new Date(expires * 1000).toISOString(),
      ServerTime: now.toISOString(),
    });
  }
}

function parseAmzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function queryParametersError(message: string): AwsError {
  return new AwsError('AuthorizationQueryParametersError', message, 400);
}
