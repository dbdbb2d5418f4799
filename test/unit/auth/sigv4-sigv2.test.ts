import { expect } from 'chai';
import { AuthFailure, readAuth, sigV2StringToSign, verify, type SignedRequest } from '../../../localcloud/auth/sigv4/index.js';
import { botocore, botocoreAvailable, KEY, wireRequest } from './sigv4-helpers.js';

/** S3's legacy Signature Version 2, as botocore's `s3` signer (HmacV1) still produces it. */

function failure(req: SignedRequest, now: Date, secret = KEY.secretAccessKey): AuthFailure | undefined {
  try {
    verify(req, readAuth(req), secret, now);
    return undefined;
  } catch (err) {
    if (err instanceof AuthFailure) return err;
    throw err;
  }
}

describe('sigv2: the string to sign of the S3 developer guide', () => {
  // "Signing and authenticating REST requests", Object GET: the bucket of a virtual host is part of the resource.
  it('names the bucket of a virtual-hosted request', () => {
    const req: SignedRequest = {
      ...wireRequest('GET', 'http://awsexamplebucket1.s3.us-west-1.amazonaws.com/photos/puppy.jpg', { date: 'Tue, 27 Mar 2007 19:36:42 +0000' }),
      virtualHostedBucket: 'awsexamplebucket1',
    };
    expect(sigV2StringToSign(req)).to.equal('GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg');
  });

  it('signs x-amz-* headers and sub-resources, not other parameters', () => {
    const req = wireRequest('PUT', 'http://localhost/b/k?uploadId=abc%2F1&partNumber=2&x-id=UploadPart', {
      'content-type': 'text/plain',
      'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww==',
      'x-amz-date': 'Tue, 27 Mar 2007 19:36:42 +0000',
      'x-amz-meta-b': ' two ',
      date: 'ignored when x-amz-date is there',
    });
    req.headers['x-amz-meta-a'] = ['1', '2'];
    expect(sigV2StringToSign(req)).to.equal(
      'PUT\nXrY7u+Ae7tCTyyK7j1rNww==\ntext/plain\n\nx-amz-date:Tue, 27 Mar 2007 19:36:42 +0000\nx-amz-meta-a:1,2\nx-amz-meta-b:two\n/b/k?partNumber=2&uploadId=abc/1',
    );
  });
});

describe('sigv2: requests signed by botocore', function () {
  before(function () {
    if (!botocoreAvailable()) this.skip();
  });

  it('header-signed PUT and GET, accepted with the secret and refused with another, tampered or skewed', () => {
    const [put, get] = botocore([
      { service: 's3', operation: 'put_object', params: { Bucket: 'bucket', Key: 'a b/ü.txt', Body: 'data', ContentType: 'text/plain', Metadata: { color: 'red' } }, region: 'us-east-1', signature_version: 's3' },
      { service: 's3', operation: 'get_object', params: { Bucket: 'bucket', Key: 'k', VersionId: 'v1', ResponseContentType: 'text/html' }, region: 'us-east-1', signature_version: 's3' },
    ]);
    for (const req of [put, get]) {
      expect(readAuth(req).kind).to.equal('sigv2-header');
      const now = new Date(req.headers['date'] as string);
      expect(failure(req, now)).to.equal(undefined);
      expect(failure(req, now, 'wrong')?.reason).to.equal('SignatureDoesNotMatch');
      expect(failure({ ...req, rawPath: `${req.rawPath}x` }, now)?.reason).to.equal('SignatureDoesNotMatch');
      expect(failure(req, new Date(now.getTime() + 16 * 60_000))?.reason).to.equal('TimeTooSkewed');
    }
    expect(failure({ ...put, headers: { ...put.headers, 'x-amz-meta-color': 'blue' } }, new Date(put.headers['date'] as string))?.reason).to.equal('SignatureDoesNotMatch');
    expect(failure({ ...get, rawQuery: get.rawQuery.replace('versionId=v1', 'versionId=v2') }, new Date(get.headers['date'] as string))?.reason).to.equal('SignatureDoesNotMatch');
  });

  it('presigned URLs (AWSAccessKeyId, Expires, Signature), until Expires', () => {
    const [get, put] = botocore([
      { service: 's3', operation: 'get_object', params: { Bucket: 'bucket', Key: 'a b+c.txt' }, region: 'us-east-1', presign: 300, signature_version: 's3' },
      { service: 's3', operation: 'put_object', params: { Bucket: 'bucket', Key: 'k' }, region: 'us-east-1', presign: 300, signature_version: 's3', http_method: 'PUT' },
    ]);
    for (const req of [get, put]) {
      const auth = readAuth(req);
      expect(auth.kind).to.equal('sigv2-presigned');
      const expires = new Date((auth as { expires: number }).expires * 1000);
      expect(failure(req, expires)).to.equal(undefined);
      expect(failure(req, new Date(expires.getTime() + 1000))?.reason).to.equal('Expired');
      expect(failure(req, expires, 'wrong')?.reason).to.equal('SignatureDoesNotMatch');
      const stretched = { ...req, rawQuery: req.rawQuery.replace(/Expires=(\d+)/, (_, n) => `Expires=${Number(n) + 3600}`) };
      expect(failure(stretched, expires)?.reason).to.equal('SignatureDoesNotMatch');
    }
  });
});
