import { expect } from 'chai';
import { SignatureV4 } from '@smithy/signature-v4';
import { AuthFailure, readAuth, verify, type AuthFailureReason, type SignedRequest, type SigV4Auth } from '../../../localcloud/auth/sigv4/index.js';
import { fromSmithy, KEY, NodeSha256 } from './sigv4-helpers.js';

/** Requests signed at a fixed time by smithy's signer, then changed the ways an attacker (or a bug) would. */

const T0 = new Date('2026-03-01T12:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

interface Options {
  service?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  presign?: number;
  signingDate?: Date;
  unsignableHeaders?: Set<string>;
}

async function signed(o: Options = {}): Promise<SignedRequest> {
  const service = o.service ?? 's3';
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: KEY, sha256: NodeSha256, uriEscapePath: service !== 's3' });
  const request = {
    method: o.body === undefined ? 'GET' : 'PUT',
    protocol: 'http:',
    hostname: 'localhost',
    port: 4566,
    path: o.path ?? '/bucket/key%20one',
    query: o.query ?? { 'list-type': '2', prefix: 'a' },
    // S3 signs no body hash it does not know: UNSIGNED-PAYLOAD, as the S3 client and presigner declare.
    headers: { host: 'localhost:4566', ...(service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}), ...o.headers },
    body: o.body,
  };
  const signingDate = o.signingDate ?? T0;
  const result =
    o.presign === undefined
      ? await signer.sign(request, { signingDate, unsignableHeaders: o.unsignableHeaders })
      : await signer.presign(request, { signingDate, expiresIn: o.presign });
  return fromSmithy(result as never);
}

function failure(req: SignedRequest, now = T0, secret = KEY.secretAccessKey): AuthFailure | undefined {
  try {
    verify(req, readAuth(req), secret, now);
    return undefined;
  } catch (err) {
    if (err instanceof AuthFailure) return err;
    throw err;
  }
}

function expectRefused(req: SignedRequest, reason: AuthFailureReason, now = T0): AuthFailure {
  const f = failure(req, now);
  expect(f, 'refused').to.be.instanceOf(AuthFailure);
  expect(f!.reason).to.equal(reason);
  return f!;
}

const edit = (req: SignedRequest, change: Partial<SignedRequest>): SignedRequest => ({ ...req, ...change });
const withHeader = (req: SignedRequest, name: string, value: string | undefined): SignedRequest => {
  const headers = { ...req.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...req, headers };
};
const withAuthorization = (req: SignedRequest, from: string | RegExp, to: string) =>
  withHeader(req, 'authorization', (req.headers['authorization'] as string).replace(from, to));

describe('sigv4: what a header signature refuses', () => {
  it('accepts the untouched request, and the signature in upper case', async () => {
    const req = await signed();
    expect(failure(req)).to.equal(undefined);
    expect(failure(withAuthorization(req, /Signature=(\w+)/, `Signature=${(readAuth(req) as SigV4Auth).signature.toUpperCase()}`))).to.equal(undefined);
  });

  it('a wrong secret', async () => {
    expect(failure(await signed(), T0, 'wrong')!.reason).to.equal('SignatureDoesNotMatch');
  });

  it('a tampered path, query, header or body', async () => {
    const req = await signed({ headers: { 'x-amz-meta-color': 'red' } });
    expectRefused(edit(req, { rawPath: '/bucket/key%20two' }), 'SignatureDoesNotMatch');
    expectRefused(edit(req, { rawQuery: req.rawQuery.replace('prefix=a', 'prefix=b') }), 'SignatureDoesNotMatch');
    expectRefused(edit(req, { rawQuery: `${req.rawQuery}&versionId=1` }), 'SignatureDoesNotMatch');
    expectRefused(withHeader(req, 'x-amz-meta-color', 'blue'), 'SignatureDoesNotMatch');
    expectRefused(withHeader(req, 'host', 'evil.example:4566'), 'SignatureDoesNotMatch');

    const json = await signed({ service: 'dynamodb', path: '/', query: {}, headers: { 'x-amz-target': 'DynamoDB_20120810.Scan' }, body: '{"TableName":"a"}' });
    expect(failure(json)).to.equal(undefined);
    expectRefused(edit(json, { body: Buffer.from('{"TableName":"b"}') }), 'SignatureDoesNotMatch');
    expectRefused(withHeader(json, 'x-amz-target', 'DynamoDB_20120810.DeleteTable'), 'SignatureDoesNotMatch');
  });

  it('a body changed under a hex x-amz-content-sha256 (S3) or under any declared hash (other services)', async () => {
    const s3 = await signed({ body: 'original', headers: { 'x-amz-content-sha256': '0682c5f2076f099c34cfdd15a9e063849ed437a49677e6fcc5b4198c76575be5' } });
    expect(failure(s3)).to.equal(undefined);
    const mismatch = expectRefused(edit(s3, { body: Buffer.from('tampered') }), 'ContentSha256Mismatch');
    expect(mismatch.context.clientContentSha256).to.equal('0682c5f2076f099c34cfdd15a9e063849ed437a49677e6fcc5b4198c76575be5');

    const declared = await signed({ service: 'kinesis', path: '/', query: {}, body: 'original', headers: { 'x-amz-content-sha256': '0682c5f2076f099c34cfdd15a9e063849ed437a49677e6fcc5b4198c76575be5' } });
    expect(failure(declared)).to.equal(undefined);
    expectRefused(edit(declared, { body: Buffer.from('tampered') }), 'SignatureDoesNotMatch');
  });

  it('a request 16 minutes off the server clock either way, but not 15', async () => {
    const req = await signed();
    expect(failure(req, minutes(15))).to.equal(undefined);
    expect(failure(req, minutes(-15))).to.equal(undefined);
    const late = expectRefused(req, 'TimeTooSkewed', minutes(16));
    expect(late.detail).to.equal('Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T121600Z - 15 min.)');
    const early = expectRefused(req, 'TimeTooSkewed', minutes(-16));
    expect(early.detail).to.equal('Signature not yet current: 20260301T120000Z is still later than 20260301T115900Z (20260301T114400Z + 15 min.)');
  });

  it('checks the signature before the time: a skewed request with a bad signature is a bad signature', async () => {
    expect(failure(await signed(), minutes(30), 'wrong')!.reason).to.equal('SignatureDoesNotMatch');
  });

  it('a credential scope dated another day than X-Amz-Date', async () => {
    const req = await signed();
    const f = expectRefused(withAuthorization(req, '/20260301/', '/20260302/'), 'ScopeMismatch');
    expect(f.context.scopePart).to.equal('date');
  });

  it('a scope for another service or region than the endpoint', async () => {
    const req = await signed({ service: 'dynamodb', path: '/', query: {}, body: '{}' });
    const auth = readAuth(req);
    expect(() => verify(req, auth, KEY.secretAccessKey, T0, { service: 'kinesis' })).to.throw(AuthFailure).with.property('reason', 'ScopeMismatch');
    expect(() => verify(req, auth, KEY.secretAccessKey, T0, { region: 'eu-west-1' })).to.throw(AuthFailure).with.property('reason', 'ScopeMismatch');
    expect(() => verify(req, auth, KEY.secretAccessKey, T0, { service: 'dynamodb', region: 'us-east-1' })).not.to.throw();
  });

  it('host missing from SignedHeaders, even when the signature matches', async () => {
    const req = await signed({ unsignableHeaders: new Set(['host']) });
    expect((readAuth(req) as SigV4Auth).signedHeaders).not.to.include('host');
    expectRefused(req, 'HeadersNotSigned');
  });

  it('an x-amz-* header S3 receives unsigned', async () => {
    const req = await signed();
    const f = expectRefused(withHeader(req, 'x-amz-acl', 'public-read'), 'HeadersNotSigned');
    expect(f.context.headersNotSigned).to.deep.equal(['x-amz-acl']);
  });

  it('the Date header stands in for X-Amz-Date', async () => {
    const req = await signed();
    const auth = readAuth(req) as SigV4Auth;
    // Re-sign with Date instead of X-Amz-Date: smithy always writes X-Amz-Date, so do it by hand.
    const withDate = withHeader(withHeader(req, 'x-amz-date', undefined), 'date', T0.toUTCString());
    const parsed = readAuth(withDate) as SigV4Auth;
    expect(parsed.amzDate).to.equal(auth.amzDate);
    expectRefused(withDate, 'SignatureDoesNotMatch'); // x-amz-date was signed and is now missing
  });

  it('malformed Authorization headers and missing dates', async () => {
    const req = await signed();
    for (const broken of [
      withAuthorization(req, /Credential=[^,]+,\s*/, ''),
      withAuthorization(req, /,\s*Signature=\w+/, ''),
      withAuthorization(req, '/us-east-1/', '/'),
      withAuthorization(req, '/20260301/', '/2026031/'),
      withAuthorization(req, 'aws4_request', 'aws4_reques'),
      withHeader(req, 'authorization', 'Bearer token'),
    ]) {
      expect(() => readAuth(broken), broken.headers['authorization'] as string).to.throw(AuthFailure).with.property('reason', 'Malformed');
    }
    expect(() => readAuth(withHeader(req, 'x-amz-date', undefined))).to.throw(AuthFailure).with.property('reason', 'MissingDate');
    expect(() => verify(withHeader(req, 'authorization', undefined), { kind: 'none' }, KEY.secretAccessKey, T0))
      .to.throw(AuthFailure).with.property('reason', 'MissingAuthentication');
  });
});

describe('sigv4: what a presigned URL refuses', () => {
  it('accepts it from X-Amz-Date to X-Amz-Date + X-Amz-Expires', async () => {
    const req = await signed({ presign: 60 });
    expect(failure(req, T0)).to.equal(undefined);
    expect(failure(req, new Date(T0.getTime() + 60_000))).to.equal(undefined);
    const expired = expectRefused(req, 'Expired', new Date(T0.getTime() + 60_001));
    expect(expired.context.expiresAt).to.deep.equal(new Date(T0.getTime() + 60_000));
  });

  it('a stretched X-Amz-Expires: signed, so the signature no longer matches', async () => {
    const req = await signed({ presign: 60 });
    expectRefused(edit(req, { rawQuery: req.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=604800') }), 'SignatureDoesNotMatch');
  });

  it('a tampered path, query, or the signature itself', async () => {
    const req = await signed({ presign: 60 });
    expectRefused(edit(req, { rawPath: '/bucket/other' }), 'SignatureDoesNotMatch');
    expectRefused(edit(req, { rawQuery: req.rawQuery.replace('prefix=a', 'prefix=') }), 'SignatureDoesNotMatch');
    expectRefused(edit(req, { rawQuery: req.rawQuery.replace(/X-Amz-Signature=\w/, 'X-Amz-Signature=0') }), 'SignatureDoesNotMatch');
    expectRefused(edit(req, { rawQuery: req.rawQuery.replace(/X-Amz-Date=\d{8}T\d{6}Z/, 'X-Amz-Date=20260301T115959Z') }), 'SignatureDoesNotMatch');
  });

  it('a URL whose X-Amz-Date is more than 15 minutes ahead of the server', async () => {
    const req = await signed({ presign: 3600, signingDate: minutes(16) });
    expectRefused(req, 'NotYetValid', T0);
    expect(failure(req, minutes(1))).to.equal(undefined);
  });

  it('X-Amz-Expires of zero, negative, over a week, or not a number; missing parameters', async () => {
    const req = await signed({ presign: 60 });
    expectRefused(edit(req, { rawQuery: req.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=0') }), 'SignatureDoesNotMatch');
    for (const value of ['-1', '604801', '1h']) {
      const broken = edit(req, { rawQuery: req.rawQuery.replace('X-Amz-Expires=60', `X-Amz-Expires=${value}`) });
      expect(() => readAuth(broken), value).to.throw(AuthFailure).with.property('reason', 'Malformed');
    }
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires']) {
      const missing = edit(req, { rawQuery: req.rawQuery.replace(new RegExp(`${name}=[^&]*&?`), '') });
      expect(() => readAuth(missing), name).to.throw(AuthFailure).with.property('reason', 'Malformed');
    }
  });

  it('X-Amz-Expires=0 is never valid, even when signed so', async () => {
    const req = await signed({ presign: 1 });
    const zero = await (async () => {
      const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: KEY, sha256: NodeSha256, uriEscapePath: false });
      const r = await signer.presign(
        { method: 'GET', protocol: 'http:', hostname: 'localhost', port: 4566, path: '/b/k', query: {}, headers: { host: 'localhost:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
        { signingDate: T0, expiresIn: 0 },
      );
      return fromSmithy(r as never);
    })();
    expect(failure(req, T0)).to.equal(undefined);
    expectRefused(zero, 'Expired', T0);
  });

  it('both an Authorization header and presigned parameters', async () => {
    const req = await signed({ presign: 60 });
    expect(() => readAuth(withHeader(req, 'authorization', 'AWS4-HMAC-SHA256 Credential=a/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00')))
      .to.throw(AuthFailure).with.property('reason', 'Malformed');
  });
});
