import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeleteBucketWebsiteCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { S3Provider } from '../../localcloud/services/s3/index.js';
import { rejection } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { signedHeaders, signedStreamingUpload, type Credentials, type SigningOptions } from '../support/sign.js';

/** The error an S3 call fails with (the test fails if it succeeds). */
const failure = (promise: Promise<unknown>) => rejection<S3ServiceException>(promise);

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A hand-made HTTP request, for what the SDK would never send. Unsigned, S3
 * takes it as anonymous (AccessDenied unless a bucket policy allows it);
 * `sign` signs it as the account root (`true`) or as given, as any AWS user must.
 */
async function raw(
  cloud: TestCloud,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; sign?: true | Omit<SigningOptions, 'service'> },
): Promise<RawResponse> {
  const url = new URL(cloud.url);
  const method = options.method ?? 'GET';
  const headers = options.sign
    ? await signedHeaders(cloud.url, { method, target: options.path, headers: options.headers, body: options.body }, { ...(options.sign === true ? {} : options.sign), service: 's3' })
    : options.headers;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: options.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const md5Hex = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

describe('s3', function () {
  let cloud: TestCloud;
  let s3: S3Client;

  before(async () => {
    cloud = await startTestCloud();
    s3 = new S3Client(cloud.clientConfig());
  });
  after(async () => {
    s3?.destroy();
    await cloud?.stop();
  });

  describe('buckets', () => {
    it('creates, heads, lists, locates and deletes a bucket', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'bucket-lifecycle' }));
      const head = await s3.send(new HeadBucketCommand({ Bucket: 'bucket-lifecycle' }));
      expect(head.BucketRegion).to.equal('us-east-1');
      const { Buckets, Owner } = await s3.send(new ListBucketsCommand({}));
      expect(Buckets?.map((b) => b.Name)).to.include('bucket-lifecycle');
      expect(Buckets?.find((b) => b.Name === 'bucket-lifecycle')?.CreationDate).to.be.instanceOf(Date);
      expect(Owner?.ID).to.match(/^[0-9a-f]{64}$/);
      const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'bucket-lifecycle' }));
      expect(location.LocationConstraint).to.equal(undefined); // us-east-1 is the empty constraint
      await s3.send(new DeleteBucketCommand({ Bucket: 'bucket-lifecycle' }));
      const gone = await failure(s3.send(new HeadBucketCommand({ Bucket: 'bucket-lifecycle' })));
      expect(gone.$metadata.httpStatusCode).to.equal(404);
    });

    it('creates a bucket in another region with a LocationConstraint', async () => {
      const eu = new S3Client(cloud.clientConfig('eu-west-1'));
      await eu.send(new CreateBucketCommand({ Bucket: 'bucket-in-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      expect((await eu.send(new GetBucketLocationCommand({ Bucket: 'bucket-in-eu' }))).LocationConstraint).to.equal('eu-west-1');
      expect((await eu.send(new HeadBucketCommand({ Bucket: 'bucket-in-eu' }))).BucketRegion).to.equal('eu-west-1');
      const again = await failure(eu.send(new CreateBucketCommand({ Bucket: 'bucket-in-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })));
      expect(again.name).to.equal('BucketAlreadyOwnedByYou');
      expect(again.$metadata.httpStatusCode).to.equal(409);
      // The SDK adds the client's region as constraint by itself; without one, a regional endpoint refuses.
      await eu.send(new CreateBucketCommand({ Bucket: 'bucket-implicit-eu' }));
      expect((await eu.send(new GetBucketLocationCommand({ Bucket: 'bucket-implicit-eu' }))).LocationConstraint).to.equal('eu-west-1');
      const unspecified = await raw(cloud, { method: 'PUT', path: '/bucket-no-constraint', sign: { region: 'eu-west-1' } });
      expect(unspecified.status).to.equal(400);
      expect(unspecified.body).to.contain('<Code>IllegalLocationConstraintException</Code>');
      const mismatch = await failure(eu.send(new CreateBucketCommand({ Bucket: 'bucket-mismatch', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })));
      expect(mismatch.name).to.equal('IllegalLocationConstraintException');
      const listed = await s3.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));
      expect(listed.Buckets?.map((b) => b.Name)).to.deep.equal(['bucket-implicit-eu', 'bucket-in-eu']);
      eu.destroy();
    });

    it('lets the owner re-create a us-east-1 bucket (S3 legacy) but not another account', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'bucket-owned' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'bucket-owned' }));
      const other = new S3Client({ ...cloud.clientConfig(), credentials: { accessKeyId: '111111111111', secretAccessKey: 'x' } });
      const taken = await failure(other.send(new CreateBucketCommand({ Bucket: 'bucket-owned' })));
      expect(taken.name).to.equal('BucketAlreadyExists');
      expect(taken.$metadata.httpStatusCode).to.equal(409);
      const { Buckets } = await other.send(new ListBucketsCommand({}));
      expect(Buckets ?? []).to.deep.equal([]); // ListBuckets shows only the caller's buckets
      other.destroy();
    });

    it('rejects invalid bucket names', async () => {
      for (const name of ['ab', 'Upper-Case', 'under_score', '-starts-with-hyphen', 'ends-with-hyphen-', 'two..dots', '10.0.0.1', 'x'.repeat(64)]) {
        const err = await failure(s3.send(new CreateBucketCommand({ Bucket: name })));
        expect(err.name, name).to.equal('InvalidBucketName');
        expect(err.$metadata.httpStatusCode, name).to.equal(400);
      }
    });

    it('refuses to delete a bucket that is not empty, and reports missing buckets', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'bucket-full' }));
      await s3.send(new PutObjectCommand({ Bucket: 'bucket-full', Key: 'k', Body: 'x' }));
      const notEmpty = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'bucket-full' })));
      expect(notEmpty.name).to.equal('BucketNotEmpty');
      expect(notEmpty.$metadata.httpStatusCode).to.equal(409);
      const missing = await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'k' })));
      expect(missing.name).to.equal('NoSuchBucket');
      expect(missing.$metadata.httpStatusCode).to.equal(404);
      expect((missing as unknown as { BucketName: string }).BucketName).to.equal('no-such-bucket-here');
      expect((await failure(s3.send(new DeleteBucketCommand({ Bucket: 'no-such-bucket-here' })))).name).to.equal('NoSuchBucket');
    });

    it('stores and returns bucket policy, CORS and tagging', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'bucket-config' }));
      expect((await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'bucket-config' })))).name).to.equal('NoSuchBucketPolicy');
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-config/*' }],
      });
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'bucket-config', Policy: policy }));
      expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'bucket-config' }))).Policy!)).to.deep.equal(JSON.parse(policy));
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'bucket-config' }));
      expect((await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'bucket-config' })))).name).to.equal('NoSuchBucketPolicy');
      expect((await failure(s3.send(new PutBucketPolicyCommand({ Bucket: 'bucket-config', Policy: 'not json' })))).name).to.equal('MalformedPolicy');

      expect((await failure(s3.send(new GetBucketCorsCommand({ Bucket: 'bucket-config' })))).name).to.equal('NoSuchCORSConfiguration');
      await s3.send(new PutBucketCorsCommand({
        Bucket: 'bucket-config',
        CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['*'], MaxAgeSeconds: 300 }] },
      }));
      const cors = await s3.send(new GetBucketCorsCommand({ Bucket: 'bucket-config' }));
      expect(cors.CORSRules?.[0]).to.deep.include({ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['*'], MaxAgeSeconds: 300 });
      await s3.send(new DeleteBucketCorsCommand({ Bucket: 'bucket-config' }));

      await s3.send(new PutBucketTaggingCommand({ Bucket: 'bucket-config', Tagging: { TagSet: [{ Key: 'team', Value: 'iot' }] } }));
      expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'bucket-config' }))).TagSet).to.deep.equal([{ Key: 'team', Value: 'iot' }]);
    });
    it('stores the configurations CloudFormation applies to AWS::S3::Bucket', async () => {
      const Bucket = 'bucket-cfn-config';
      await s3.send(new CreateBucketCommand({ Bucket }));
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).to.equal(undefined);
      await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).to.equal('Enabled');

      await s3.send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
      expect((await s3.send(new GetBucketWebsiteCommand({ Bucket }))).IndexDocument?.Suffix).to.equal('index.html');
      await s3.send(new DeleteBucketWebsiteCommand({ Bucket }));
      expect((await failure(s3.send(new GetBucketWebsiteCommand({ Bucket })))).name).to.equal('NoSuchWebsiteConfiguration');

      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration?.BlockPublicAcls).to.equal(true);
      await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: false, BlockPublicPolicy: false } }));
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration?.BlockPublicAcls).to.equal(false);
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));

      const sse = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const } }] };
      await s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: sse }));
      expect((await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm).to.equal('aws:kms');
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
      expect((await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm).to.equal('AES256');

      await s3.send(new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } }] },
      }));
      expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules?.[0].ID).to.equal('expire');
      await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
      expect((await failure(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })))).name).to.equal('NoSuchLifecycleConfiguration');
      await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    });
  });

  describe('objects', () => {
    const bucket = 'objects-bucket';
    before(() => s3.send(new CreateBucketCommand({ Bucket: bucket })));

    it('puts a Buffer body (plain, x-amz-checksum-crc32) and gets it back with its headers and metadata', async () => {
      const body = Buffer.from('{"sensorid":"s1","value":1}');
      const put = await s3.send(new PutObjectCommand({
        Bucket: bucket,
        Key: 'events/2025/one.json',
        Body: body,
        ContentType: 'application/json',
        ContentEncoding: 'identity',
        ContentDisposition: 'attachment; filename="one.json"',
        CacheControl: 'max-age=60',
        ContentLanguage: 'en',
        Metadata: { source: 'sensor', 'batch-id': '42' },
      }));
      expect(put.ETag).to.equal(`"${md5Hex(body)}"`);
      expect(put.ChecksumCRC32).to.be.a('string');
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'events/2025/one.json' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).to.equal(true);
      expect(got).to.deep.include({
        ETag: put.ETag,
        ContentType: 'application/json',
        ContentEncoding: 'identity',
        ContentDisposition: 'attachment; filename="one.json"',
        CacheControl: 'max-age=60',
        ContentLanguage: 'en',
        ContentLength: body.length,
        ChecksumCRC32: put.ChecksumCRC32,
      });
      expect(got.Metadata).to.deep.equal({ source: 'sensor', 'batch-id': '42' });
      expect(got.LastModified).to.be.instanceOf(Date);
    });

    it('puts a stream body (aws-chunked with a checksum trailer) and stores the decoded bytes', async () => {
      const pieces = [Buffer.alloc(70_000, 'a'), Buffer.from('middle'), Buffer.alloc(12_345, 'z')];
      const expected = Buffer.concat(pieces);
      const put = await s3.send(new PutObjectCommand({
        Bucket: bucket,
        Key: 'stream.bin',
        Body: Readable.from(pieces),
        ContentLength: expected.length,
        ContentEncoding: 'gzip',
      }));
      expect(put.ETag).to.equal(`"${md5Hex(expected)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'stream.bin' }));
      expect(got.ContentLength).to.equal(expected.length);
      expect(got.ContentEncoding).to.equal('gzip'); // aws-chunked is stripped, the rest kept
      expect(got.ChecksumCRC32).to.equal(put.ChecksumCRC32); // the SDK validates it against the body
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(expected)).to.equal(true);
    });

    it('verifies other checksum algorithms (CRC32C, SHA256, CRC64NVME)', async () => {
      for (const algorithm of ['CRC32C', 'SHA256', 'SHA1', 'CRC64NVME'] as const) {
        const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `sum-${algorithm}`, Body: `data for ${algorithm}`, ChecksumAlgorithm: algorithm }));
        expect(put[`Checksum${algorithm}`], algorithm).to.be.a('string');
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `sum-${algorithm}`, ChecksumMode: 'ENABLED' }));
        expect(await got.Body!.transformToString()).to.equal(`data for ${algorithm}`);
        expect(got[`Checksum${algorithm}`]).to.equal(put[`Checksum${algorithm}`]);
      }
    });

    it('rejects a wrong checksum with BadDigest and stores nothing', async () => {
      const err = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'bad-sum', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })));
      expect(err.name).to.equal('BadDigest');
      expect(err.$metadata.httpStatusCode).to.equal(400);
      expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bad-sum' })))).$metadata.httpStatusCode).to.equal(404);
    });

    it('rejects a wrong checksum trailer in an aws-chunked body', async () => {
      const body = '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';
      const res = await raw(cloud, {
        method: 'PUT',
        path: `/${bucket}/bad-trailer`,
        sign: true,
        headers: {
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'x-amz-decoded-content-length': '5',
          'x-amz-trailer': 'x-amz-checksum-crc32',
        },
        body,
      });
      expect(res.status).to.equal(400);
      expect(res.body).to.contain('<Code>BadDigest</Code>');
    });

    describe('signed aws-chunked bodies', () => {
      let uploader: Credentials;
      before(async () => {
        // An IAM user: its secret is checked, so its chunk signatures are too.
        const iam = new IAMClient(cloud.clientConfig());
        await iam.send(new CreateUserCommand({ UserName: 'chunk-uploader' }));
        const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${bucket}/*` }] };
        await iam.send(new PutUserPolicyCommand({ UserName: 'chunk-uploader', PolicyName: 'upload', PolicyDocument: JSON.stringify(policy) }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'chunk-uploader' }));
        uploader = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
        iam.destroy();
      });

      const put = (upload: { headers: Record<string, string>; body: Buffer }, key: string) =>
        raw(cloud, { method: 'PUT', path: `/${bucket}/${key}`, headers: upload.headers, body: upload.body });

      it('accepts a chain of chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', async () => {
        const chunks = [Buffer.alloc(8192, 'a'), Buffer.from('hello')];
        const upload = await signedStreamingUpload(cloud.url, { path: `/${bucket}/signed-chunks`, chunks }, { credentials: uploader });
        const res = await put(upload, 'signed-chunks');
        expect(res.status, res.body).to.equal(200);
        expect(res.headers.etag).to.equal(`"${md5Hex(Buffer.concat(chunks))}"`);
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed-chunks' }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(chunks))).to.equal(true);
        expect(got.ContentEncoding).to.equal(undefined);
      });

      it('refuses a changed chunk, a forged signature and a dropped chunk with 403 SignatureDoesNotMatch, storing nothing', async () => {
        const path = `/${bucket}/tampered`;
        const upload = await signedStreamingUpload(cloud.url, { path, chunks: ['hello', ' world'] }, { credentials: uploader });
        const text = upload.body.toString('latin1');

        const changed = { ...upload, body: Buffer.from(text.replace('hello', 'jello'), 'latin1') };
        const forged = { ...upload, body: Buffer.from(text.replace(upload.chunkSignatures[1], 'f'.repeat(64)), 'latin1') };
        const secondChunk = text.slice(text.indexOf('\r\n6;') + 2, text.indexOf('\r\n0;') + 2);
        const dropped = { ...upload, body: Buffer.from(text.replace(secondChunk, ''), 'latin1') };
        for (const [name, attempt] of Object.entries({ changed, forged, dropped })) {
          const res = await put(attempt, 'tampered');
          expect(res.status, name).to.equal(403);
          expect(res.body, name).to.contain('<Code>SignatureDoesNotMatch</Code>');
          expect(res.body, name).to.contain(`<AWSAccessKeyId>${uploader.accessKeyId}</AWSAccessKeyId>`);
          expect(res.body, name).to.contain('<StringToSign>AWS4-HMAC-SHA256-PAYLOAD\n');
        }
        expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'tampered' })))).$metadata.httpStatusCode).to.equal(404);
      });

      it('checks the trailer signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', async () => {
        const crc32 = 'NhCmhg=='; // CRC32 of "hello"
        const path = `/${bucket}/signed-trailer`;
        const upload = await signedStreamingUpload(cloud.url, { path, chunks: ['hello'], trailers: [['x-amz-checksum-crc32', crc32]] }, { credentials: uploader });
        const res = await put(upload, 'signed-trailer');
        expect(res.status, res.body).to.equal(200);
        expect(res.headers['x-amz-checksum-crc32']).to.equal(crc32);

        // A trailer changed after signing: the trailer signature no longer matches, whatever the checksum says.
        const changed = { ...upload, body: Buffer.from(upload.body.toString('latin1').replace(crc32, 'AAAAAA=='), 'latin1') };
        const refused = await put(changed, 'signed-trailer');
        expect(refused.status).to.equal(403);
        expect(refused.body).to.contain('<Code>SignatureDoesNotMatch</Code>');
        expect(refused.body).to.contain('<StringToSign>AWS4-HMAC-SHA256-TRAILER\n');
      });

      it('does not check the chunks of the account root, whose secret is not checked either', async () => {
        const sig = 'f'.repeat(64);
        const res = await raw(cloud, {
          method: 'PUT',
          path: `/${bucket}/root-chunks`,
          sign: true,
          headers: { 'content-encoding': 'aws-chunked', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '5' },
          body: `5;chunk-signature=${sig}\r\nhello\r\n0;chunk-signature=${sig}\r\n\r\n`,
        });
        expect(res.status).to.equal(200);
        expect(res.headers.etag).to.equal(`"${md5Hex('hello')}"`);
      });
    });

    it('checks Content-MD5 (InvalidDigest, BadDigest)', async () => {
      const good = createHash('md5').update('hello').digest('base64');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5', Body: 'hello', ContentMD5: good }));
      expect((await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5', Body: 'hellO', ContentMD5: good })))).name).to.equal('BadDigest');
      expect((await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'md5', Body: 'hello', ContentMD5: 'nope' })))).name).to.equal('InvalidDigest');
    });

    it('serves byte ranges with 206 and Content-Range, and InvalidRange past the end', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'digits', Body: '0123456789' }));
      const cases: [string, string, string][] = [
        ['bytes=0-4', '01234', 'bytes 0-4/10'],
        ['bytes=7-', '789', 'bytes 7-9/10'],
        ['bytes=-3', '789', 'bytes 7-9/10'],
        ['bytes=8-100', '89', 'bytes 8-9/10'],
      ];
      for (const [range, body, contentRange] of cases) {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', Range: range }));
        expect(got.$metadata.httpStatusCode, range).to.equal(206);
        expect(got.ContentRange, range).to.equal(contentRange);
        expect(got.ContentLength, range).to.equal(body.length);
        expect(await got.Body!.transformToString(), range).to.equal(body);
      }
      const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'digits', Range: 'bytes=10-20' })));
      expect(err.name).to.equal('InvalidRange');
      expect(err.$metadata.httpStatusCode).to.equal(416);
    });

    it('answers conditional GETs (If-None-Match, If-Match, If-Modified-Since)', async () => {
      const { ETag } = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'conditional', Body: 'v1' }));
      expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional', IfNoneMatch: ETag })))).$metadata.httpStatusCode).to.equal(304);
      const changed = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional', IfNoneMatch: '"other"' }));
      expect(await changed.Body!.transformToString()).to.equal('v1');
      const mismatch = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional', IfMatch: '"other"' })));
      expect(mismatch.name).to.equal('PreconditionFailed');
      expect(mismatch.$metadata.httpStatusCode).to.equal(412);
      const future = new Date(Date.now() + 3600_000);
      expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'conditional', IfModifiedSince: future })))).$metadata.httpStatusCode).to.equal(304);
      const past = new Date(Date.now() - 3600_000);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'conditional', IfModifiedSince: past }))).ETag).to.equal(ETag);
      const exists = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'conditional', Body: 'v2', IfNoneMatch: '*' })));
      expect(exists.name).to.equal('PreconditionFailed');
    });

    it('reports missing keys: NoSuchKey on GET, a bare 404 on HEAD', async () => {
      const get = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'missing/key' })));
      expect(get.name).to.equal('NoSuchKey');
      expect(get.$metadata.httpStatusCode).to.equal(404);
      expect((get as unknown as { Key: string }).Key).to.equal('missing/key');
      const head = await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'missing/key' })));
      expect(head.name).to.equal('NotFound');
      expect(head.$metadata.httpStatusCode).to.equal(404);
      const rawHead = await raw(cloud, { method: 'HEAD', path: `/${bucket}/missing/key`, sign: true });
      expect(rawHead.status).to.equal(404);
      expect(rawHead.body).to.equal('');
    });

    it('deletes objects, and deleting a missing key succeeds', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'doomed', Body: 'x' }));
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doomed' }));
      expect(deleted.$metadata.httpStatusCode).to.equal(204);
      expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doomed' })))).name).to.equal('NoSuchKey');
      expect((await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doomed' }))).$metadata.httpStatusCode).to.equal(204);
    });

    it('keeps keys with spaces, unicode, plus signs and odd slashes intact', async () => {
      for (const key of ['a b/c+d.txt', 'ünïcödé/日本語.json', 'double//slash', 'trailing/', 'percent%20literal', "quote'&<xml>"]) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        expect(await got.Body!.transformToString(), key).to.equal(key);
      }
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'ünïcödé/' }));
      expect(listed.Contents?.map((c) => c.Key)).to.deep.equal(['ünïcödé/日本語.json']);
    });

    it('copies objects (URL-encoded source keys, COPY and REPLACE metadata)', async () => {
      const key = 'copy source/ü+&.txt';
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'copy me', ContentType: 'text/plain', Metadata: { origin: 'source' } }));
      const copied = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-target', CopySource: `${bucket}/${encodeURIComponent(key)}` }));
      expect(copied.CopyObjectResult?.ETag).to.equal(`"${md5Hex('copy me')}"`);
      const target = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy-target' }));
      expect(await target.Body!.transformToString()).to.equal('copy me');
      expect(target.ContentType).to.equal('text/plain');
      expect(target.Metadata).to.deep.equal({ origin: 'source' });

      await s3.send(new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy-target',
        CopySource: `/${bucket}/copy-target`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/markdown',
        Metadata: { origin: 'replaced' },
      }));
      const replaced = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy-target' }));
      expect(replaced.ContentType).to.equal('text/markdown');
      expect(replaced.Metadata).to.deep.equal({ origin: 'replaced' });

      const toItself = await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-target', CopySource: `${bucket}/copy-target` })));
      expect(toItself.name).to.equal('InvalidRequest');
      const missing = await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/not-there` })));
      expect(missing.name).to.equal('NoSuchKey');
      const badDirective = await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/copy-target`, MetadataDirective: 'MOVE' as never })));
      expect(badDirective.name).to.equal('InvalidArgument');
    });

    it('deletes many objects at once (DeleteObjects, Quiet or not)', async () => {
      for (const key of ['batch/1', 'batch/2', 'batch/3']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      const loud = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'batch/1' }, { Key: 'batch/never' }] } }));
      expect(loud.Deleted?.map((d) => d.Key)).to.deep.equal(['batch/1', 'batch/never']);
      expect(loud.Errors).to.equal(undefined);
      const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'batch/2' }, { Key: 'batch/3' }], Quiet: true } }));
      expect(quiet.Deleted).to.equal(undefined);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'batch/' }))).KeyCount).to.equal(0);
    });

    it('tags objects (x-amz-tagging on put, and the tagging sub-resource)', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'tagged', Body: 'x', Tagging: 'env=dev&team=iot' }));
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }))).TagSet).to.deep.equal([
        { Key: 'env', Value: 'dev' },
        { Key: 'team', Value: 'iot' },
      ]);
      expect((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'tagged' }))).TagCount).to.equal(2);
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'tagged', Tagging: { TagSet: [{ Key: 'env', Value: 'prod' }] } }));
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'tagged' }))).TagSet).to.deep.equal([{ Key: 'env', Value: 'prod' }]);
    });

    it('assembles multipart uploads', async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi', ContentType: 'application/zip' }));
      const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
      const part2 = Buffer.from('tail');
      const p1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId, PartNumber: 1, Body: part1 }));
      const p2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId, PartNumber: 2, Body: part2 }));
      const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'multi', UploadId }));
      expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).to.deep.equal([[1, part1.length], [2, 4]]);
      const done = await s3.send(new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'multi',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
      }));
      expect(done.ETag).to.match(/^"[0-9a-f]{32}-2"$/);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multi' }));
      expect(got.ContentType).to.equal('application/zip');
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([part1, part2]))).to.equal(true);

      const { UploadId: aborted } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi-aborted' }));
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'multi-aborted', UploadId: aborted }));
      expect((await failure(s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'multi-aborted', UploadId: aborted })))).name).to.equal('NoSuchUpload');
    });
  });

  describe('listing', () => {
    const bucket = 'listing-bucket';
    const keys = ['a.txt', 'dir1/x.txt', 'dir1/y.txt', 'dir1/sub/z.txt', 'dir2/w.txt', 'e.txt', 'f.txt'];
    before(async () => {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    });

    it('lists keys in order with sizes, ETags and KeyCount', async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(out.Contents?.map((c) => c.Key)).to.deep.equal([...keys].sort());
      expect(out.KeyCount).to.equal(keys.length);
      expect(out.IsTruncated).to.equal(false);
      expect(out.Contents?.[0]).to.deep.include({ Key: 'a.txt', Size: 5, ETag: `"${md5Hex('a.txt')}"`, StorageClass: 'STANDARD' });
    });

    it('groups by delimiter into CommonPrefixes, within a prefix', async () => {
      const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
      expect(top.Contents?.map((c) => c.Key)).to.deep.equal(['a.txt', 'e.txt', 'f.txt']);
      expect(top.CommonPrefixes?.map((p) => p.Prefix)).to.deep.equal(['dir1/', 'dir2/']);
      expect(top.KeyCount).to.equal(5);
      const inside = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', Prefix: 'dir1/' }));
      expect(inside.Contents?.map((c) => c.Key)).to.deep.equal(['dir1/x.txt', 'dir1/y.txt']);
      expect(inside.CommonPrefixes?.map((p) => p.Prefix)).to.deep.equal(['dir1/sub/']);
    });

    it('pages with max-keys and continuation tokens, common prefixes included', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
        expect(page.KeyCount).to.be.at.most(2);
        seen.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
        token = page.NextContinuationToken;
        expect(Boolean(page.IsTruncated)).to.equal(token !== undefined);
        pages++;
      } while (token);
      expect(pages).to.equal(3);
      expect(seen.sort()).to.deep.equal(['a.txt', 'dir1/', 'dir2/', 'e.txt', 'f.txt']);
    });

    it('starts after a given key', async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'dir2/w.txt' }));
      expect(out.Contents?.map((c) => c.Key)).to.deep.equal(['e.txt', 'f.txt']);
      expect(out.StartAfter).to.equal('dir2/w.txt');
    });

    it('url-encodes names with encoding-type=url', async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'z odd/ä&b', Body: 'x' }));
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'z odd/', EncodingType: 'url' }));
      expect(out.EncodingType).to.equal('url');
      expect(out.Contents?.map((c) => c.Key)).to.deep.equal(['z+odd/%C3%A4%26b']);
      expect(out.Prefix).to.equal('z+odd/');
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'z odd/ä&b' }));
    });

    it('lists with the original ListObjects (marker, NextMarker with a delimiter)', async () => {
      const first = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3, Delimiter: '/' }));
      expect(first.Contents?.map((c) => c.Key)).to.deep.equal(['a.txt']);
      expect(first.CommonPrefixes?.map((p) => p.Prefix)).to.deep.equal(['dir1/', 'dir2/']);
      expect(first.IsTruncated).to.equal(true);
      expect(first.NextMarker).to.equal('dir2/');
      const second = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: first.NextMarker, Delimiter: '/' }));
      expect(second.Contents?.map((c) => c.Key)).to.deep.equal(['e.txt', 'f.txt']);
      expect(second.IsTruncated).to.equal(false);
    });

    it('lists every object as its own latest version (ListObjectVersions)', async () => {
      const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'dir1/' }));
      expect(out.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).to.deep.equal([
        ['dir1/sub/z.txt', 'null', true],
        ['dir1/x.txt', 'null', true],
        ['dir1/y.txt', 'null', true],
      ]);
      expect(out.DeleteMarkers).to.equal(undefined);
    });

    it('pages through more than 1000 keys', async function () {
      this.timeout(120_000);
      const big = 'listing-big';
      await s3.send(new CreateBucketCommand({ Bucket: big }));
      const provider = cloud.cloud.context.service<S3Provider>('s3')!;
      const total = 1105;
      for (let i = 0; i < total; i++) await provider.putObjectBytes(big, `k/${String(i).padStart(5, '0')}`, Buffer.from(String(i)));
      const first = await s3.send(new ListObjectsV2Command({ Bucket: big }));
      expect(first.KeyCount).to.equal(1000);
      expect(first.MaxKeys).to.equal(1000);
      expect(first.IsTruncated).to.equal(true);
      const all: string[] = [];
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: big })) all.push(...(page.Contents ?? []).map((c) => c.Key!));
      expect(all).to.have.length(total);
      expect(all[0]).to.equal('k/00000');
      expect(all[total - 1]).to.equal(`k/${String(total - 1).padStart(5, '0')}`);
    });

    it('rejects bad listing arguments', async () => {
      const res = await raw(cloud, { path: `/${bucket}?list-type=2&max-keys=lots`, sign: true });
      expect(res.status).to.equal(400);
      expect(res.body).to.contain('<Code>InvalidArgument</Code>');
      const token = await raw(cloud, { path: `/${bucket}?list-type=2&continuation-token=garbage`, sign: true });
      expect(token.body).to.contain('<Code>InvalidArgument</Code>');
    });
  });

  describe('addressing and presigned URLs', () => {
    const bucket = 'address-bucket';
    before(async () => {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'templates/config-helper.template', Body: '{"Resources":{}}' }));
    });

    it('works with forcePathStyle against a localhost endpoint', async () => {
      const url = new URL(cloud.url);
      const client = new S3Client({ ...cloud.clientConfig(), endpoint: `http://localhost:${url.port}`, forcePathStyle: true });
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'via-localhost', Body: 'hi' }));
      expect(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'via-localhost' }))).Body!.transformToString()).to.equal('hi');
      client.destroy();
    });

    it('serves virtual-hosted requests (<bucket>.s3.amazonaws.com, <bucket>.localhost)', async () => {
      for (const host of [`${bucket}.s3.amazonaws.com`, `${bucket}.s3.us-east-1.amazonaws.com`, `${bucket}.localhost:4566`]) {
        const res = await raw(cloud, { path: '/templates/config-helper.template', headers: { host }, sign: true });
        expect(res.status, host).to.equal(200);
        expect(res.body, host).to.equal('{"Resources":{}}');
      }
      const listing = await raw(cloud, { path: '/?list-type=2', headers: { host: `${bucket}.s3.amazonaws.com` }, sign: true });
      expect(listing.body).to.contain('<Key>templates/config-helper.template</Key>');
      // Unsigned, the request is anonymous: no bucket policy lets anyone in.
      const anonymous = await raw(cloud, { path: '/templates/config-helper.template', headers: { host: `${bucket}.s3.amazonaws.com` } });
      expect(anonymous.status).to.equal(403);
      expect(anonymous.body).to.contain('<Code>AccessDenied</Code>');
      // The global endpoint name in path style, as CloudFormation TemplateURLs use it.
      const pathStyle = await raw(cloud, { path: `/${bucket}/templates/config-helper.template`, headers: { host: 's3.amazonaws.com' }, sign: true });
      expect(pathStyle.body).to.equal('{"Resources":{}}');
    });

    it('offers the same objects in-process, by bucket/key or by URL', async () => {
      const provider = cloud.cloud.context.service<S3Provider>('s3')!;
      expect((await provider.getObjectBytes(bucket, 'templates/config-helper.template')).toString()).to.equal('{"Resources":{}}');
      const byUrl = await provider.getObjectBytesByUrl(`https://s3.amazonaws.com/${bucket}/templates/config-helper.template`);
      expect(byUrl.toString()).to.equal('{"Resources":{}}');
      await provider.putObjectBytes(bucket, 'in-process', Buffer.from('zip'), { contentType: 'application/zip' });
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'in-process' }))).ContentType).to.equal('application/zip');
      try {
        await provider.getObjectBytes(bucket, 'nope');
        expect.fail('expected NoSuchKey');
      } catch (err) {
        expect((err as { code: string }).code).to.equal('NoSuchKey');
      }
    });

    it('accepts presigned GET and PUT URLs', async () => {
      const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'presigned/upload.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
      const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded through a presigned URL', headers: { 'content-type': 'text/plain' } });
      expect(put.status).to.equal(200);
      expect(put.headers.get('etag')).to.equal(`"${md5Hex('uploaded through a presigned URL')}"`);

      const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'presigned/upload.txt', ResponseContentDisposition: 'attachment' }), { expiresIn: 300 });
      const get = await fetch(getUrl);
      expect(get.status).to.equal(200);
      expect(await get.text()).to.equal('uploaded through a presigned URL');
      expect(get.headers.get('content-type')).to.equal('text/plain');
      expect(get.headers.get('content-disposition')).to.equal('attachment');
    });

    it('refuses expired presigned URLs with AccessDenied', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'templates/config-helper.template' }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 3600_000),
      });
      const res = await fetch(url);
      expect(res.status).to.equal(403);
      const body = await res.text();
      expect(body).to.contain('<Code>AccessDenied</Code>');
      expect(body).to.contain('<Message>Request has expired</Message>');
      const tooLong = await fetch(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=700000'));
      expect(tooLong.status).to.equal(400);
      expect(await tooLong.text()).to.contain('AuthorizationQueryParametersError');
    });
  });

  describe('malformed requests', () => {
    const bucket = 'garbage-bucket';
    before(() => s3.send(new CreateBucketCommand({ Bucket: bucket })));

    it('answers bad XML to DeleteObjects with MalformedXML', async () => {
      for (const body of ['<Delete><Object><Key>a</Key></Object>', 'not xml at all', '<Wrong><Object><Key>a</Key></Object></Wrong>', '<Delete></Delete>']) {
        const res = await raw(cloud, {
          method: 'POST',
          path: `/${bucket}?delete`,
          sign: true,
          headers: { 'content-md5': createHash('md5').update(body).digest('base64') },
          body,
        });
        expect(res.status, body).to.equal(400);
        expect(res.body, body).to.contain('<Code>MalformedXML</Code>');
        expect(res.body).to.match(/<RequestId>[^<]+<\/RequestId>/);
      }
    });

    it('answers bad XML to CreateBucket with MalformedXML', async () => {
      const res = await raw(cloud, { method: 'PUT', path: '/another-bucket-x', sign: true, body: '<CreateBucketConfiguration><Location' });
      expect(res.status).to.equal(400);
      expect(res.body).to.contain('<Code>MalformedXML</Code>');
    });

    it('answers unknown sub-resources with NotImplemented and wrong methods with MethodNotAllowed', async () => {
      const inventory = await raw(cloud, { path: `/${bucket}?inventory`, sign: true });
      expect(inventory.status).to.equal(501);
      expect(inventory.body).to.contain('<Code>NotImplemented</Code>');
      const patch = await raw(cloud, { method: 'PATCH', path: `/${bucket}/key`, sign: true });
      expect(patch.status).to.equal(405);
      expect(patch.body).to.contain('<Code>MethodNotAllowed</Code>');
      const postService = await raw(cloud, { method: 'DELETE', path: '/', sign: true });
      expect(postService.status).to.equal(405);
    });

    it('answers broken encodings and bodies with 400s', async () => {
      const uri = await raw(cloud, { path: `/${bucket}/%E0%A4%A`, sign: true });
      expect(uri.status).to.equal(400);
      expect(uri.body).to.contain('<Code>InvalidURI</Code>');
      const chunked = await raw(cloud, {
        method: 'PUT',
        path: `/${bucket}/broken-chunks`,
        sign: true,
          headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' },
        body: 'zz\r\nhello\r\n',
      });
      expect(chunked.status).to.equal(400);
      const short = await raw(cloud, {
        method: 'PUT',
        path: `/${bucket}/short-chunks`,
        sign: true,
          headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '9' },
        body: '5\r\nhello\r\n0\r\n\r\n',
      });
      expect(short.status).to.equal(400);
      expect(short.body).to.contain('<Code>IncompleteBody</Code>');
      const badSum = await raw(cloud, {
        method: 'PUT',
        path: `/${bucket}/bad-sum-header`,
        sign: true,
          headers: { 'x-amz-checksum-crc32': 'not-base64' },
        body: 'hello',
      });
      expect(badSum.status).to.equal(400);
      expect(badSum.body).to.contain('<Code>InvalidRequest</Code>');
    });

    it('answers an unknown policy sub-resource document with MalformedXML', async () => {
      const res = await raw(cloud, { method: 'PUT', path: `/${bucket}?cors`, sign: true, body: '<NotCors/>' });
      expect(res.status).to.equal(400);
      expect(res.body).to.contain('<Code>MalformedXML</Code>');
    });
  });
});

describe('s3 state across a restart', () => {
  it('keeps buckets, objects, metadata and configuration in the state directory', async () => {
    const state = tempDir('localcloud-s3-');
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let s3 = new S3Client(cloud.clientConfig());
      await s3.send(new CreateBucketCommand({ Bucket: 'durable-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'durable-bucket', Key: 'a/one.json', Body: '{"n":1}', ContentType: 'application/json', Metadata: { kind: 'first' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'durable-bucket', Key: 'a/two.bin', Body: Readable.from([Buffer.from('streamed ')]), ContentLength: 9 }));
      await s3.send(new PutObjectCommand({ Bucket: 'durable-bucket', Key: 'overwritten', Body: 'old' }));
      await s3.send(new PutObjectCommand({ Bucket: 'durable-bucket', Key: 'overwritten', Body: 'new' }));
      await s3.send(new PutObjectCommand({ Bucket: 'durable-bucket', Key: 'deleted', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'durable-bucket', Key: 'deleted' }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'durable-bucket', Policy: '{"Version":"2012-10-17","Statement":[]}' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'deleted-bucket' }));
      await s3.send(new DeleteBucketCommand({ Bucket: 'deleted-bucket' }));
      s3.destroy();
      await cloud.stop();

      cloud = await startTestCloud({ stateDir: state.dir });
      s3 = new S3Client(cloud.clientConfig());
      const { Buckets } = await s3.send(new ListBucketsCommand({}));
      expect(Buckets?.map((b) => b.Name)).to.deep.equal(['durable-bucket']);
      const one = await s3.send(new GetObjectCommand({ Bucket: 'durable-bucket', Key: 'a/one.json', ChecksumMode: 'ENABLED' }));
      expect(await one.Body!.transformToString()).to.equal('{"n":1}');
      expect(one.ContentType).to.equal('application/json');
      expect(one.Metadata).to.deep.equal({ kind: 'first' });
      expect(one.ETag).to.equal(`"${md5Hex('{"n":1}')}"`);
      expect(one.ChecksumCRC32).to.be.a('string');
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'durable-bucket', Key: 'a/two.bin' }))).Body!.transformToString()).to.equal('streamed ');
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'durable-bucket', Key: 'overwritten' }))).Body!.transformToString()).to.equal('new');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'durable-bucket' }));
      expect(listed.Contents?.map((c) => c.Key)).to.deep.equal(['a/one.json', 'a/two.bin', 'overwritten']);
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'durable-bucket' }))).Policy).to.equal('{"Version":"2012-10-17","Statement":[]}');
      s3.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });

  it('ends up consistent after concurrent overwrites, and sweeps what a crash left behind', async () => {
    const state = tempDir('localcloud-s3-');
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let s3 = new S3Client(cloud.clientConfig());
      await s3.send(new CreateBucketCommand({ Bucket: 'racy-bucket' }));
      const bodies = Array.from({ length: 20 }, (_, i) => `version ${i}`);
      await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: 'racy-bucket', Key: 'contended', Body }))));
      const winner = await (await s3.send(new GetObjectCommand({ Bucket: 'racy-bucket', Key: 'contended' }))).Body!.transformToString();
      expect(bodies).to.include(winner);
      s3.destroy();
      await cloud.stop();

      // What a crash mid-write leaves: a temp file, bytes no record names, a bucket directory without bucket.json.
      const bucketDir = path.join(state.dir, 's3', 'buckets', 'racy-bucket');
      writeFileSync(path.join(bucketDir, 'blobs', 'orphan-bytes'), 'lost');
      writeFileSync(path.join(bucketDir, 'blobs', 'half-written.tmp'), 'lost');
      mkdirSync(path.join(state.dir, 's3', 'buckets', 'half-created-bucket'));

      cloud = await startTestCloud({ stateDir: state.dir });
      s3 = new S3Client(cloud.clientConfig());
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'racy-bucket', Key: 'contended' }))).Body!.transformToString()).to.equal(winner);
      expect(readdirSync(path.join(bucketDir, 'blobs'))).to.have.length(1); // only the winner's bytes remain
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).to.deep.equal(['racy-bucket']);
      s3.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });
});
