import { AwsError } from '../../core/errors.js';
import type { AuthFailure } from './failure.js';
import { toAmzDate, toIsoSeconds, MAX_SKEW_MS } from './time.js';

/**
 * AWS's answer to a request that failed authentication, per wire protocol:
 * the same failure is `InvalidSignatureException` (400) from a JSON service,
 * `SignatureDoesNotMatch` (403) from a query service, and an S3 error document
 * with the strings S3 signed. Codes, statuses and messages are AWS's own, as
 * clients and people match on them.
 */

export type AuthProtocol = 'json' | 'query' | 'rest-json' | 's3';

/** Failures decided outside the signature check: by the key store or the session-token check. */
export type CredentialProblem =
  | { reason: 'UnknownAccessKey'; accessKeyId?: string }
  | { reason: 'MissingAuthentication' }
  | { reason: 'ExpiredToken'; sessionToken?: string }
  | { reason: 'InvalidToken'; sessionToken?: string };

export interface AuthErrorOptions {
  /**
   * A JSON service with `awsQueryCompatible` (CloudWatch): it answers with the
   * codes of its former query protocol, which its clients still match on.
   */
  queryCompatible?: boolean;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const S3_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

/** Codes and statuses of one failure in the three non-S3 families. */
interface Family {
  json: [code: string, status: number];
  /** REST-JSON (Lambda): the JSON codes, but AWS answers them with 403. */
  restJson: [code: string, status: number];
  query: [code: string, status: number];
}

const SIGNATURE_FAMILY: Family = {
  json: ['InvalidSignatureException', 400],
  restJson: ['InvalidSignatureException', 403],
  query: ['SignatureDoesNotMatch', 403],
};
const INCOMPLETE_FAMILY: Family = {
  json: ['IncompleteSignatureException', 400],
  restJson: ['IncompleteSignatureException', 403],
  query: ['IncompleteSignature', 400],
};
const UNKNOWN_KEY_FAMILY: Family = {
  json: ['UnrecognizedClientException', 400],
  restJson: ['UnrecognizedClientException', 403],
  query: ['InvalidClientTokenId', 403],
};

export function authError(failure: AuthFailure | CredentialProblem, protocol: AuthProtocol, options: AuthErrorOptions = {}): AwsError {
  if (protocol === 's3') return s3AuthError(failure);
  const family = (f: Family, message: string): AwsError => {
    const [code, status] = protocol === 'query' || options.queryCompatible ? f.query : protocol === 'rest-json' ? f.restJson : f.json;
    return new AwsError(code, message, status);
  };
  switch (failure.reason) {
    case 'UnknownAccessKey':
    case 'InvalidToken':
      return family(UNKNOWN_KEY_FAMILY, INVALID_TOKEN);
    case 'ExpiredToken':
      return family({ json: ['ExpiredTokenException', 400], restJson: ['ExpiredTokenException', 403], query: ['ExpiredToken', 403] }, EXPIRED_TOKEN);
    case 'MissingAuthentication':
      return family(
        { json: ['MissingAuthenticationTokenException', 400], restJson: ['MissingAuthenticationTokenException', 403], query: ['MissingAuthenticationToken', 403] },
        'Request is missing Authentication Token',
      );
    case 'Malformed':
    case 'MissingDate':
      return family(INCOMPLETE_FAMILY, failure.detail);
    case 'SignatureDoesNotMatch': {
      const { canonicalRequest, stringToSign } = failure.context;
      // JSON and query services tell the caller what they computed, so a
      // client author can diff it against their own canonical request.
      const explanation =
        canonicalRequest !== undefined && stringToSign !== undefined
          ? `\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`
          : '';
      return family(SIGNATURE_FAMILY, MISMATCH + explanation);
    }
    case 'ContentSha256Mismatch':
      return family(SIGNATURE_FAMILY, MISMATCH);
    case 'Expired':
      return family(SIGNATURE_FAMILY, expiredPresignMessage(failure));
    case 'NotYetValid':
    case 'TimeTooSkewed':
    case 'ScopeMismatch':
    case 'HeadersNotSigned':
      return family(SIGNATURE_FAMILY, failure.detail);
  }
}

/**
 * Presigned URLs outside S3 (STS's, for one): worded like the header
 * signature's "Signature expired", with X-Amz-Expires as the window.
 */
function expiredPresignMessage(failure: AuthFailure): string {
  const { amzDate, serverTime, expiresSeconds } = failure.context;
  if (amzDate === undefined || serverTime === undefined || expiresSeconds === undefined) return failure.detail;
  const limit = toAmzDate(new Date(serverTime.getTime() - expiresSeconds * 1000));
  return `Signature expired: ${amzDate} is now earlier than ${limit} (${toAmzDate(serverTime)} - ${expiresSeconds} sec.)`;
}

function s3AuthError(failure: AuthFailure | CredentialProblem): AwsError {
  switch (failure.reason) {
    case 'UnknownAccessKey':
      return new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, {
        AWSAccessKeyId: failure.accessKeyId ?? '',
      });
    case 'ExpiredToken':
      return new AwsError('ExpiredToken', 'The provided token has expired.', 400, tokenExtra(failure.sessionToken));
    case 'InvalidToken':
      return new AwsError('InvalidToken', 'The provided token is malformed or otherwise invalid.', 400, tokenExtra(failure.sessionToken));
    case 'MissingAuthentication':
      return new AwsError('AccessDenied', 'Access Denied', 403);
    case 'MissingDate':
      return new AwsError('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header', 403);
    case 'Malformed':
      return s3Malformed(failure);
    case 'SignatureDoesNotMatch':
      return s3SignatureMismatch(failure);
    case 'ContentSha256Mismatch':
      return new AwsError('XAmzContentSHA256Mismatch', failure.detail, 400, {
        ClientComputedContentSHA256: failure.context.clientContentSha256 ?? '',
        S3ComputedContentSHA256: failure.context.computedContentSha256 ?? '',
      });
    case 'Expired': {
      const { expiresAt, serverTime, expiresSeconds, signatureVersion } = failure.context;
      const extra: Record<string, string> = {};
      if (signatureVersion !== 2) extra['X-Amz-Expires'] = String(expiresSeconds ?? '');
      extra.Expires = expiresAt ? toIsoSeconds(expiresAt) : '';
      extra.ServerTime = serverTime ? toIsoSeconds(serverTime) : '';
      return new AwsError('AccessDenied', 'Request has expired', 403, extra);
    }
    case 'NotYetValid':
      return new AwsError('AccessDenied', 'Request is not yet valid', 403, {
        'X-Amz-Date': failure.context.amzDate ?? '',
        ServerTime: failure.context.serverTime ? toIsoSeconds(failure.context.serverTime) : '',
      });
    case 'TimeTooSkewed':
      return new AwsError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, {
        RequestTime: failure.context.amzDate ?? '',
        ServerTime: failure.context.serverTime ? toIsoSeconds(failure.context.serverTime) : '',
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      });
    case 'ScopeMismatch':
      return s3ScopeMismatch(failure);
    case 'HeadersNotSigned':
      return new AwsError('AccessDenied', 'There were headers present in the request which were not signed', 403, {
        HeadersNotSigned: (failure.context.headersNotSigned ?? []).join(', '),
      });
  }
}

function tokenExtra(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { 'Token-0': token };
}

/** S3 words a broken signature by where it was: the Authorization header or the presigned query. */
function s3Malformed(failure: AuthFailure): AwsError {
  const { detail, context } = failure;
  if (detail.startsWith('Only one auth mechanism allowed')) {
    return new AwsError('InvalidArgument', detail, 400, { ArgumentName: 'Authorization' });
  }
  if (detail.startsWith('Unsupported Authorization Type')) {
    return new AwsError('InvalidArgument', 'Unsupported Authorization Type', 400, { ArgumentName: 'Authorization' });
  }
  if (detail.startsWith('x-amz-content-sha256 must be')) {
    return new AwsError('InvalidArgument', detail, 400, { ArgumentName: 'x-amz-content-sha256' });
  }
  if (context.signatureVersion === 2) {
    return context.presigned ? new AwsError('AccessDenied', detail, 403) : new AwsError('InvalidArgument', detail, 400, { ArgumentName: 'Authorization' });
  }
  if (context.presigned) {
    const credentialProblem = detail.startsWith('the Credential') || detail.startsWith('incorrect');
    return new AwsError('AuthorizationQueryParametersError', credentialProblem ? `Error parsing the X-Amz-Credential parameter; ${detail}` : detail, 400);
  }
  return new AwsError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, 400);
}

function s3ScopeMismatch(failure: AuthFailure): AwsError {
  const { scopePart, actualScopeValue, expectedScopeValue, presigned } = failure.context;
  let problem: string;
  const extra: Record<string, string> = {};
  if (scopePart === 'date') {
    problem = `Invalid credential date "${actualScopeValue}". This date is not the same as X-Amz-Date: "${expectedScopeValue}".`;
  } else if (scopePart === 'service') {
    problem = `incorrect service "${actualScopeValue}". This endpoint belongs to "${expectedScopeValue}".`;
  } else {
    problem = `the region '${actualScopeValue}' is wrong; expecting '${expectedScopeValue}'`;
    extra.Region = expectedScopeValue ?? '';
  }
  return presigned
    ? new AwsError('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${problem}`, 400, extra)
    : new AwsError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${problem}`, 400, extra);
}

/** S3 returns what it signed, as text and as bytes, so a client can find where its own string differs. */
function s3SignatureMismatch(failure: AuthFailure): AwsError {
  const { accessKeyId, stringToSign, signatureProvided, canonicalRequest } = failure.context;
  const bytes = (text: string) => Buffer.from(text, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ');
  const extra: Record<string, string> = {};
  if (accessKeyId !== undefined) extra.AWSAccessKeyId = accessKeyId;
  if (stringToSign !== undefined) extra.StringToSign = stringToSign;
  extra.SignatureProvided = signatureProvided ?? '';
  if (stringToSign !== undefined) extra.StringToSignBytes = bytes(stringToSign);
  if (canonicalRequest !== undefined) {
    extra.CanonicalRequest = canonicalRequest;
    extra.CanonicalRequestBytes = bytes(canonicalRequest);
  }
  return new AwsError('SignatureDoesNotMatch', S3_MISMATCH, 403, extra);
}
