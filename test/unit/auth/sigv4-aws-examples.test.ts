import { expect } from 'chai';
import { AuthFailure, readAuth, signedTrailerOf, verify, verifyChunkSignatures, streamingScope, type SigV4Auth } from '../../../localcloud/auth/sigv4/index.js';
import { decodeAwsChunked } from '../../../localcloud/services/s3/aws-chunked.js';
import { DOC_KEY, DOC_TIME, wireRequest } from './sigv4-helpers.js';

/**
 * The worked examples of the S3 API reference ("Signature Calculations for
 * the Authorization Header", "Transferring Payload in Multiple Chunks",
 * "Signature calculations for trailing headers", "Query string
 * authentication"): requests and the exact signatures AWS printed for them.
 */

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SCOPE = 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';
const authorization = (signedHeaders: string, signature: string) =>
  `AWS4-HMAC-SHA256 Credential=${SCOPE},SignedHeaders=${signedHeaders},Signature=${signature}`;

function accepts(method: string, url: string, headers: Record<string, string>, body: Buffer | string = ''): void {
  const req = wireRequest(method, url, headers, body);
  verify(req, readAuth(req), DOC_KEY.secretAccessKey, DOC_TIME);
}

function refuses(method: string, url: string, headers: Record<string, string>, body: Buffer | string = ''): AuthFailure {
  const req = wireRequest(method, url, headers, body);
  try {
    verify(req, readAuth(req), DOC_KEY.secretAccessKey, DOC_TIME);
  } catch (err) {
    if (err instanceof AuthFailure) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('sigv4: the examples of the AWS documentation', () => {
  const host = 'http://examplebucket.s3.amazonaws.com';
  const basic = { 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY };

  it('GET Object with a Range header', () => {
    const signed = authorization('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    accepts('GET', `${host}/test.txt`, { ...basic, range: 'bytes=0-9', authorization: signed });
    expect(refuses('GET', `${host}/test.txt`, { ...basic, range: 'bytes=0-10', authorization: signed }).reason).to.equal('SignatureDoesNotMatch');
  });

  it('PUT Object: a `$` in the key, the Date header signed next to x-amz-date', () => {
    const content = 'Welcome to Amazon S3.';
    const headers = {
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      authorization: authorization('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class', '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd'),
    };
    accepts('PUT', `${host}/test%24file.text`, headers, content);
    // `$` sent raw is the same key, and the same canonical URI.
    accepts('PUT', `${host}/test$file.text`, headers, content);
    expect(refuses('PUT', `${host}/test%24file.text`, headers, 'Welcome to Amazon S4.').reason).to.equal('ContentSha256Mismatch');
  });

  it('GET Bucket lifecycle: a sub-resource without a value', () => {
    accepts('GET', `${host}/?lifecycle`, { ...basic, authorization: authorization('host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543') });
  });

  it('GET Bucket (List Objects): parameters sorted by name', () => {
    const signed = authorization('host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
    accepts('GET', `${host}/?max-keys=2&prefix=J`, { ...basic, authorization: signed });
    accepts('GET', `${host}/?prefix=J&max-keys=2`, { ...basic, authorization: signed });
    expect(refuses('GET', `${host}/?max-keys=3&prefix=J`, { ...basic, authorization: signed }).reason).to.equal('SignatureDoesNotMatch');
  });

  it('a presigned GET Object URL (X-Amz-Expires=86400)', () => {
    const url =
      `${host}/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request` +
      `&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host` +
      `&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404`;
    accepts('GET', url, {});
    expect(refuses('GET', url.replace('X-Amz-Expires=86400', 'X-Amz-Expires=86401'), {}).reason).to.equal('SignatureDoesNotMatch');
    const req = wireRequest('GET', url, {});
    const auth = readAuth(req);
    expect(() => verify(req, auth, DOC_KEY.secretAccessKey, new Date(DOC_TIME.getTime() + 86_400_000))).not.to.throw();
    expect(() => verify(req, auth, DOC_KEY.secretAccessKey, new Date(DOC_TIME.getTime() + 86_400_001)))
      .to.throw(AuthFailure).with.property('reason', 'Expired');
  });
});

describe('sigv4: the chunked upload examples of the AWS documentation', () => {
  const data = Buffer.alloc(66_560, 'a');
  const body = (signatures: string[], trailer: string[] = []) =>
    Buffer.concat([
      Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
      data.subarray(0, 65_536),
      Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
      data.subarray(65_536),
      Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${trailer.map((line) => `${line}\r\n`).join('')}\r\n`),
    ]);
  const common = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
  };

  /** Verifies the headers (seed signature), decodes the body, then verifies the chain of chunks. */
  function verifyUpload(headers: Record<string, string>, raw: Buffer): Buffer {
    const req = wireRequest('PUT', 'http://s3.amazonaws.com/examplebucket/chunkObject.txt', headers, raw);
    const auth = readAuth(req) as SigV4Auth;
    verify(req, auth, DOC_KEY.secretAccessKey, DOC_TIME);
    const decoded = decodeAwsChunked(raw);
    verifyChunkSignatures(auth.signature, streamingScope(auth, DOC_KEY.secretAccessKey), decoded.chunks, signedTrailerOf(decoded.trailers));
    return decoded.payload;
  }

  describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', () => {
    const signatures = [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ];
    const headers = {
      ...common,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-length': '66824',
      authorization: authorization(
        'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
        '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      ),
    };

    it('accepts the seed signature and each chunk signature AWS printed', () => {
      expect(body(signatures).length).to.equal(66_824);
      expect(verifyUpload(headers, body(signatures)).equals(data)).to.equal(true);
    });

    it('refuses a changed byte, a changed chunk signature, and chunks in another order', () => {
      const changed = body(signatures);
      changed[changed.length - 200] = 'b'.charCodeAt(0);
      expect(() => verifyUpload(headers, changed)).to.throw(AuthFailure).with.property('reason', 'SignatureDoesNotMatch');
      for (const i of [0, 1, 2]) {
        const wrong = [...signatures];
        wrong[i] = wrong[i].replace(/^./, (c) => (c === '0' ? '1' : '0'));
        expect(() => verifyUpload(headers, body(wrong)), `chunk ${i}`).to.throw(AuthFailure).with.property('reason', 'SignatureDoesNotMatch');
      }
      const req = wireRequest('PUT', 'http://s3.amazonaws.com/examplebucket/chunkObject.txt', headers);
      const auth = readAuth(req) as SigV4Auth;
      const chunks = decodeAwsChunked(body(signatures)).chunks;
      const swapped = [chunks[1], chunks[0], chunks[2]];
      expect(() => verifyChunkSignatures(auth.signature, streamingScope(auth, DOC_KEY.secretAccessKey), swapped))
        .to.throw(AuthFailure).with.property('reason', 'SignatureDoesNotMatch');
      expect(() => verifyChunkSignatures(auth.signature, streamingScope(auth, DOC_KEY.secretAccessKey), chunks.slice(0, 2)))
        .to.throw(AuthFailure).with.property('reason', 'Malformed');
    });

    it('names the chunk string to sign (AWS4-HMAC-SHA256-PAYLOAD) in the failure', () => {
      const wrong = [...signatures];
      wrong[1] = '0'.repeat(64);
      try {
        verifyUpload(headers, body(wrong));
        expect.fail('accepted');
      } catch (err) {
        expect((err as AuthFailure).context.stringToSign).to.match(/^AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524\/us-east-1\/s3\/aws4_request\nad80c730/);
      }
    });
  });

  describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', () => {
    const signatures = [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    const trailerSignature = 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435';
    const headers = {
      ...common,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
      authorization: authorization(
        'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
        '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
      ),
    };

    it('accepts the chunks and the trailer signature AWS printed', () => {
      const payload = verifyUpload(headers, body(signatures, ['x-amz-checksum-crc32c:sOO8/Q==', `x-amz-trailer-signature:${trailerSignature}`]));
      expect(payload.equals(data)).to.equal(true);
    });

    it('refuses a changed trailer and a missing trailer signature', () => {
      expect(() => verifyUpload(headers, body(signatures, ['x-amz-checksum-crc32c:AAAAAA==', `x-amz-trailer-signature:${trailerSignature}`])))
        .to.throw(AuthFailure).with.property('reason', 'SignatureDoesNotMatch');
      const req = wireRequest('PUT', 'http://s3.amazonaws.com/examplebucket/chunkObject.txt', headers);
      const auth = readAuth(req) as SigV4Auth;
      const chunks = decodeAwsChunked(body(signatures)).chunks;
      expect(() => verifyChunkSignatures(auth.signature, streamingScope(auth, DOC_KEY.secretAccessKey), chunks, { headers: [['x-amz-checksum-crc32c', 'sOO8/Q==']] }))
        .to.throw(AuthFailure).with.property('reason', 'SignatureDoesNotMatch');
    });
  });
});
