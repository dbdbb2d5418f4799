import { expect } from 'chai';
import { AwsError } from '../../../localcloud/core/errors.js';
import { decodeAwsChunked, isAwsChunked, stripAwsChunked } from '../../../localcloud/services/s3/aws-chunked.js';

/** Encodes like the SDK does: one `<hex>[;chunk-signature=..]\r\n<data>\r\n` per piece, then the final chunk and trailers. */
function encode(pieces: string[], trailers: string[] = [], signature?: string): Buffer {
  const ext = signature ? `;chunk-signature=${signature}` : '';
  const chunks = pieces.map((p) => `${Buffer.byteLength(p).toString(16)}${ext}\r\n${p}\r\n`).join('');
  return Buffer.from(`${chunks}0${ext}\r\n${trailers.map((t) => `${t}\r\n`).join('')}\r\n`);
}

describe('s3 aws-chunked decoding', () => {
  it('joins the chunks and reads the trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', () => {
    const decoded = decodeAwsChunked(encode(['hello ', 'world'], ['x-amz-checksum-crc32:DUoRhQ==']));
    expect(decoded.payload.toString()).to.equal('hello world');
    expect(decoded.trailers).to.deep.equal({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
    expect(decoded.chunkSignatures).to.deep.equal([]);
  });

  it('keeps chunk signatures of signed streams (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
    const signature = 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648';
    const decoded = decodeAwsChunked(encode(['abc'], [], signature));
    expect(decoded.payload.toString()).to.equal('abc');
    expect(decoded.chunkSignatures).to.deep.equal([signature, signature]);
    expect(decoded.trailers).to.deep.equal({});
  });

  it('reads signed trailers, including the trailer signature', () => {
    const decoded = decodeAwsChunked(encode(['abc'], ['x-amz-checksum-crc32c:Nks/tw==', 'x-amz-trailer-signature:00ff'], '00'));
    expect(decoded.trailers).to.deep.equal({ 'x-amz-checksum-crc32c': 'Nks/tw==', 'x-amz-trailer-signature': '00ff' });
  });

  it('decodes binary data and uppercase hex sizes', () => {
    const data = Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]);
    const body = Buffer.concat([Buffer.from('8\r\n'), data, Buffer.from('\r\n0\r\n\r\n')]);
    expect(decodeAwsChunked(body).payload.equals(data)).to.equal(true);
    const big = Buffer.alloc(0x1a, 'x');
    const upper = Buffer.concat([Buffer.from('1A\r\n'), big, Buffer.from('\r\n0\r\n\r\n')]);
    expect(decodeAwsChunked(upper).payload.length).to.equal(0x1a);
  });

  it('accepts an empty stream and a body that ends right after the last chunk', () => {
    expect(decodeAwsChunked(Buffer.from('0\r\n\r\n')).payload.length).to.equal(0);
    expect(decodeAwsChunked(Buffer.from('3\r\nabc\r\n0\r\n')).payload.toString()).to.equal('abc');
  });

  for (const [name, body] of [
    ['a non-hex size', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['a chunk shorter than declared', '10\r\nabc\r\n0\r\n\r\n'],
    ['data not followed by CRLF', '3\r\nabcd\r\n0\r\n\r\n'],
    ['no chunk header at all', 'abc'],
    ['a malformed trailer', '3\r\nabc\r\n0\r\nnot-a-trailer\r\n\r\n'],
  ] as const) {
    it(`rejects ${name} with a 400 AwsError`, () => {
      expect(() => decodeAwsChunked(Buffer.from(body)))
        .to.throw(AwsError)
        .with.property('statusCode', 400);
    });
  }

  it('recognises aws-chunked requests and strips the encoding from Content-Encoding', () => {
    expect(isAwsChunked({ 'content-encoding': 'aws-chunked' })).to.equal(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip, aws-chunked' })).to.equal(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' })).to.equal(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip' })).to.equal(false);
    expect(stripAwsChunked('aws-chunked')).to.equal(undefined);
    expect(stripAwsChunked('aws-chunked,gzip')).to.equal('gzip');
    expect(stripAwsChunked('gzip, aws-chunked')).to.equal('gzip');
    expect(stripAwsChunked(undefined)).to.equal(undefined);
  });
});
