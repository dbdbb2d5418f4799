import { expect } from 'chai';
import { bucketFromHost, parseS3Url, resolveAddress } from '../../../localcloud/services/s3/addressing.js';
import { computeChecksum, isWellFormedChecksum } from '../../../localcloud/services/s3/checksums.js';
import { crc32, crc32c, crc64nvme } from '../../../localcloud/services/s3/crc.js';
import { compareKeys, isValidBucketName } from '../../../localcloud/services/s3/naming.js';
import { parseRange } from '../../../localcloud/services/s3/ranges.js';

const CHECK = Buffer.from('123456789');

describe('s3 primitives', () => {
  it('computes the standard CRC check values', () => {
    expect(crc32(CHECK)).to.equal(0xcbf43926);
    expect(crc32c(CHECK)).to.equal(0xe3069283);
    expect(crc64nvme(CHECK).toString('hex')).to.equal('ae8b14860a799888');
    expect(crc32(Buffer.alloc(0))).to.equal(0);
  });

  it('encodes checksums as S3 does (base64 of the big-endian digest)', () => {
    expect(computeChecksum('CRC32', Buffer.from('hello'))).to.equal('NhCmhg==');
    expect(computeChecksum('SHA256', Buffer.from(''))).to.equal('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(isWellFormedChecksum('CRC32', 'NhCmhg==')).to.equal(true);
    expect(isWellFormedChecksum('CRC32', 'NhCmhgAA')).to.equal(false);
    expect(isWellFormedChecksum('CRC32', 'not base64!')).to.equal(false);
  });

  it('applies the bucket naming rules', () => {
    for (const ok of ['abc', 'my-bucket.v2', 'a'.repeat(63), '1bucket9']) expect(isValidBucketName(ok), ok).to.equal(true);
    for (const bad of ['ab', 'a'.repeat(64), 'MyBucket', 'my_bucket', '-bucket', 'bucket-', 'my..bucket', '192.168.5.4', 'xn--bucket', 'bucket-s3alias', 'bucket.'])
      expect(isValidBucketName(bad), bad).to.equal(false);
  });

  it('orders keys by UTF-8 bytes, not UTF-16 code units', () => {
    const keys = ['\u{1F600}', '\uFF01', 'b', 'a', 'a/b', 'a0'];
    expect([...keys].sort(compareKeys)).to.deep.equal(['a', 'a/b', 'a0', 'b', '\uFF01', '\u{1F600}']);
  });

  it('finds the bucket in virtual-hosted names', () => {
    expect(bucketFromHost('mybucket.s3.amazonaws.com')).to.equal('mybucket');
    expect(bucketFromHost('my.dotted.bucket.s3.us-west-2.amazonaws.com')).to.equal('my.dotted.bucket');
    expect(bucketFromHost('mybucket.s3-eu-west-1.amazonaws.com')).to.equal('mybucket');
    expect(bucketFromHost('mybucket.localhost:4566')).to.equal('mybucket');
    expect(bucketFromHost('mybucket.s3.localhost.localstack.cloud:4566')).to.equal('mybucket');
    for (const host of ['s3.amazonaws.com', 's3.us-east-1.amazonaws.com', 'localhost:4566', '127.0.0.1:4566', 's3.localhost.localstack.cloud:4566'])
      expect(bucketFromHost(host), host).to.equal(undefined);
  });

  it('splits raw paths into bucket and key, keeping odd keys intact', () => {
    expect(resolveAddress('127.0.0.1:4566', '/')).to.deep.equal({ style: 'path' });
    expect(resolveAddress('127.0.0.1:4566', '/b/')).to.deep.include({ bucket: 'b', key: undefined });
    expect(resolveAddress('127.0.0.1:4566', '/b/a%20b//c+d/')).to.deep.include({ bucket: 'b', key: 'a b//c+d/' });
    expect(resolveAddress('b.localhost', '/x%2Fy')).to.deep.include({ bucket: 'b', key: 'x/y', style: 'virtual-host' });
    expect(() => resolveAddress('127.0.0.1', '/b/%E0%A4%A')).to.throw().with.property('code', 'InvalidURI');
  });

  it('parses S3 object URLs in every style', () => {
    expect(parseS3Url('https://s3.amazonaws.com/code-bucket/prefix/config-helper.template')).to.deep.equal({ bucket: 'code-bucket', key: 'prefix/config-helper.template' });
    expect(parseS3Url('https://code-bucket.s3.eu-west-1.amazonaws.com/a/b.zip')).to.deep.equal({ bucket: 'code-bucket', key: 'a/b.zip' });
    expect(parseS3Url('s3://code-bucket/a%20b')).to.deep.equal({ bucket: 'code-bucket', key: 'a b' });
    expect(parseS3Url('http://127.0.0.1:4566/code-bucket/k')).to.deep.equal({ bucket: 'code-bucket', key: 'k' });
    expect(parseS3Url('https://s3.amazonaws.com/only-bucket')).to.equal(undefined);
    expect(parseS3Url('not a url')).to.equal(undefined);
  });

  it('reads byte ranges as S3 does', () => {
    expect(parseRange('bytes=0-4', 10)).to.deep.equal({ start: 0, end: 5 });
    expect(parseRange('bytes=5-', 10)).to.deep.equal({ start: 5, end: 10 });
    expect(parseRange('bytes=-3', 10)).to.deep.equal({ start: 7, end: 10 });
    expect(parseRange('bytes=-30', 10)).to.deep.equal({ start: 0, end: 10 });
    expect(parseRange('bytes=8-100', 10)).to.deep.equal({ start: 8, end: 10 });
    expect(parseRange('bytes=0-1,3-4', 10)).to.equal(undefined);
    expect(parseRange('items=0-1', 10)).to.equal(undefined);
    expect(parseRange('bytes=5-2', 10)).to.equal(undefined);
    expect(() => parseRange('bytes=10-', 10)).to.throw().with.property('code', 'InvalidRange');
    expect(() => parseRange('bytes=-0', 10)).to.throw().with.property('code', 'InvalidRange');
  });
});
