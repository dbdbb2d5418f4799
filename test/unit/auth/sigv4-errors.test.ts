import { expect } from 'chai';
import { AuthFailure, authError, type AuthProtocol, type CredentialProblem } from '../../../localcloud/auth/sigv4/index.js';

/** The error each protocol answers for each failure: AWS's code, status and wording. */

const INVALID = 'The security token included in the request is invalid.';
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function shape(failure: AuthFailure | CredentialProblem, protocol: AuthProtocol, queryCompatible = false) {
  const e = authError(failure, protocol, { queryCompatible });
  return { code: e.code, status: e.statusCode, message: e.message, extra: e.extra };
}

const mismatch = new AuthFailure('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', {
  accessKeyId: 'AKIDEXAMPLE',
  canonicalRequest: 'GET\n/\n\nhost:localhost\n\nhost\nUNSIGNED-PAYLOAD',
  stringToSign: 'AWS4-HMAC-SHA256\n20260301T120000Z\n20260301/us-east-1/s3/aws4_request\nabc',
  signatureProvided: 'deadbeef',
});
const serverTime = new Date('2026-03-01T12:16:00Z');

describe('sigv4: authError per protocol', () => {
  it('an unknown access key', () => {
    const unknown: CredentialProblem = { reason: 'UnknownAccessKey', accessKeyId: 'AKIANOPE' };
    expect(shape(unknown, 'json')).to.deep.include({ code: 'UnrecognizedClientException', status: 400, message: INVALID });
    expect(shape(unknown, 'rest-json')).to.deep.include({ code: 'UnrecognizedClientException', status: 403, message: INVALID });
    expect(shape(unknown, 'query')).to.deep.include({ code: 'InvalidClientTokenId', status: 403, message: INVALID });
    expect(shape(unknown, 'json', true)).to.deep.include({ code: 'InvalidClientTokenId', status: 403 });
    expect(shape(unknown, 's3')).to.deep.equal({
      code: 'InvalidAccessKeyId',
      status: 403,
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      extra: { AWSAccessKeyId: 'AKIANOPE' },
    });
  });

  it('a signature that does not match', () => {
    const json = shape(mismatch, 'json');
    expect(json).to.deep.include({ code: 'InvalidSignatureException', status: 400 });
    expect(json.message).to.equal(
      `${MISMATCH}\n\nThe Canonical String for this request should have been\n'GET\n/\n\nhost:localhost\n\nhost\nUNSIGNED-PAYLOAD'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260301T120000Z\n20260301/us-east-1/s3/aws4_request\nabc'\n`,
    );
    expect(shape(mismatch, 'rest-json')).to.deep.include({ code: 'InvalidSignatureException', status: 403 });
    expect(shape(mismatch, 'query')).to.deep.include({ code: 'SignatureDoesNotMatch', status: 403 });
    const s3 = shape(mismatch, 's3');
    expect(s3).to.deep.include({ code: 'SignatureDoesNotMatch', status: 403, message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' });
    expect(s3.extra).to.include({ AWSAccessKeyId: 'AKIDEXAMPLE', SignatureProvided: 'deadbeef', StringToSign: mismatch.context.stringToSign, CanonicalRequest: mismatch.context.canonicalRequest });
    expect(s3.extra.StringToSignBytes).to.match(/^41 57 53 34 2d/);
    expect(Object.keys(s3.extra)).to.deep.equal(['AWSAccessKeyId', 'StringToSign', 'SignatureProvided', 'StringToSignBytes', 'CanonicalRequest', 'CanonicalRequestBytes']);
  });

  it('no authentication at all', () => {
    const missing: CredentialProblem = { reason: 'MissingAuthentication' };
    expect(shape(missing, 'json')).to.deep.include({ code: 'MissingAuthenticationTokenException', status: 400, message: 'Request is missing Authentication Token' });
    expect(shape(missing, 'query')).to.deep.include({ code: 'MissingAuthenticationToken', status: 403 });
    expect(shape(missing, 's3')).to.deep.include({ code: 'AccessDenied', status: 403, message: 'Access Denied' });
  });

  it('an expired or invalid session token', () => {
    const expired: CredentialProblem = { reason: 'ExpiredToken', sessionToken: 'tok' };
    expect(shape(expired, 'json')).to.deep.include({ code: 'ExpiredTokenException', status: 400, message: 'The security token included in the request is expired' });
    expect(shape(expired, 'query')).to.deep.include({ code: 'ExpiredToken', status: 403 });
    expect(shape(expired, 's3')).to.deep.equal({ code: 'ExpiredToken', status: 400, message: 'The provided token has expired.', extra: { 'Token-0': 'tok' } });
    expect(shape({ reason: 'InvalidToken' }, 'query')).to.deep.include({ code: 'InvalidClientTokenId', status: 403, message: INVALID });
    expect(shape({ reason: 'InvalidToken' }, 's3')).to.deep.include({ code: 'InvalidToken', status: 400 });
  });

  it('a request time too far from the server clock', () => {
    const skewed = new AuthFailure('TimeTooSkewed', 'Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T121600Z - 15 min.)', {
      amzDate: '20260301T120000Z',
      serverTime,
      skew: 'past',
    });
    expect(shape(skewed, 'json')).to.deep.include({ code: 'InvalidSignatureException', status: 400, message: skewed.detail });
    expect(shape(skewed, 'query')).to.deep.include({ code: 'SignatureDoesNotMatch', status: 403, message: skewed.detail });
    expect(shape(skewed, 's3')).to.deep.equal({
      code: 'RequestTimeTooSkewed',
      status: 403,
      message: 'The difference between the request time and the current time is too large.',
      extra: { RequestTime: '20260301T120000Z', ServerTime: '2026-03-01T12:16:00Z', MaxAllowedSkewMilliseconds: '900000' },
    });
  });

  it('an expired or not yet valid presigned URL', () => {
    const expired = new AuthFailure('Expired', 'Request has expired', {
      presigned: true,
      amzDate: '20260301T120000Z',
      serverTime,
      expiresAt: new Date('2026-03-01T12:01:00Z'),
      expiresSeconds: 60,
    });
    expect(shape(expired, 's3')).to.deep.equal({
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
      extra: { 'X-Amz-Expires': '60', Expires: '2026-03-01T12:01:00Z', ServerTime: '2026-03-01T12:16:00Z' },
    });
    expect(shape(expired, 'query')).to.deep.include({ code: 'SignatureDoesNotMatch', status: 403 });
    const early = new AuthFailure('NotYetValid', 'Request is not yet valid', { presigned: true, amzDate: '20260301T123000Z', serverTime });
    expect(shape(early, 's3')).to.deep.equal({
      code: 'AccessDenied',
      status: 403,
      message: 'Request is not yet valid',
      extra: { 'X-Amz-Date': '20260301T123000Z', ServerTime: '2026-03-01T12:16:00Z' },
    });
  });

  it('a scope of another date or region, a malformed header, an unsigned host', () => {
    const date = new AuthFailure('ScopeMismatch', "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260302' != '20260301', from '20260301T120000Z'.", {
      scopePart: 'date',
      actualScopeValue: '20260302',
      expectedScopeValue: '20260301',
    });
    expect(shape(date, 'json')).to.deep.include({ code: 'InvalidSignatureException', status: 400, message: date.detail });
    expect(shape(date, 's3')).to.deep.include({
      code: 'AuthorizationHeaderMalformed',
      status: 400,
      message: 'The authorization header is malformed; Invalid credential date "20260302". This date is not the same as X-Amz-Date: "20260301".',
    });
    const region = new AuthFailure('ScopeMismatch', "Credential should be scoped to a valid region, not 'us-east-1'. ", {
      presigned: true,
      scopePart: 'region',
      actualScopeValue: 'us-east-1',
      expectedScopeValue: 'eu-west-1',
    });
    expect(shape(region, 's3')).to.deep.equal({
      code: 'AuthorizationQueryParametersError',
      status: 400,
      message: "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
      extra: { Region: 'eu-west-1' },
    });
    const malformed = new AuthFailure('Malformed', 'the authorization header requires three components: Credential, SignedHeaders, and Signature. Missing: Signature');
    expect(shape(malformed, 'json')).to.deep.include({ code: 'IncompleteSignatureException', status: 400 });
    expect(shape(malformed, 'query')).to.deep.include({ code: 'IncompleteSignature', status: 400 });
    expect(shape(malformed, 's3')).to.deep.include({ code: 'AuthorizationHeaderMalformed', status: 400 });
    const host = new AuthFailure('HeadersNotSigned', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", { headersNotSigned: ['host'] });
    expect(shape(host, 'json')).to.deep.include({ code: 'InvalidSignatureException', status: 400, message: host.detail });
    expect(shape(host, 's3')).to.deep.equal({
      code: 'AccessDenied',
      status: 403,
      message: 'There were headers present in the request which were not signed',
      extra: { HeadersNotSigned: 'host' },
    });
  });
});
