/**
 * GetObjectAttributes (GET /bucket/key?attributes): HeadObject and ListParts in
 * one call, as https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html
 * describes it, through SDK v3 and the AWS CLI.
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const BUCKET = 'attributes';
const PART = Buffer.alloc(5 * 1024 * 1024, 'p');
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

describe('s3 GetObjectAttributes', () => {
  let cloud: TestCloud;
  let s3: S3Client;
  let multipartEtag: string;

  before(async () => {
    cloud = await startTestCloud();
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain.txt', Body: 'hello', ChecksumAlgorithm: 'SHA256', StorageClass: 'STANDARD_IA' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big.bin', ChecksumAlgorithm: 'CRC32' }));
    const parts = [];
    for (const [index, body] of [PART, PART, Buffer.from('tail')].entries()) {
      const { ETag, ChecksumCRC32 } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'big.bin', UploadId, PartNumber: index + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
      parts.push({ PartNumber: index + 1, ETag, ChecksumCRC32 });
    }
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'big.bin', UploadId, MultipartUpload: { Parts: parts } }));
    multipartEtag = done.ETag!;
  });

  after(async () => {
    s3.destroy();
    await cloud.stop();
  });

  it('answers the attributes asked for: unquoted ETag, checksum, storage class and size', async () => {
    const out = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', ObjectAttributes: ['ETag', 'Checksum', 'StorageClass', 'ObjectSize', 'ObjectParts'] }));
    expect(out.ETag).to.equal(md5('hello'));
    expect(out.Checksum?.ChecksumSHA256).to.equal(createHash('sha256').update('hello').digest('base64'));
    expect(out.Checksum?.ChecksumType).to.equal('FULL_OBJECT');
    expect(out.StorageClass).to.equal('STANDARD_IA');
    expect(out.ObjectSize).to.equal(5);
    expect(out.ObjectParts, 'a single-part object has no parts').to.equal(undefined);
    expect(out.LastModified).to.be.instanceOf(Date);

    const sizeOnly = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', ObjectAttributes: ['ObjectSize'] }));
    expect(sizeOnly.ObjectSize).to.equal(5);
    expect(sizeOnly.ETag).to.equal(undefined);
    expect(sizeOnly.StorageClass).to.equal(undefined);
  });

  it('lists a multipart object\'s parts, paged by MaxParts and PartNumberMarker', async () => {
    const first = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'big.bin', ObjectAttributes: ['ETag', 'ObjectParts', 'ObjectSize'], MaxParts: 2 }));
    expect(first.ETag).to.equal(multipartEtag.replace(/"/g, ''));
    expect(first.ETag).to.match(/-3$/);
    expect(first.ObjectSize).to.equal(PART.length * 2 + 4);
    expect(first.ObjectParts?.TotalPartsCount).to.equal(3);
    expect(first.ObjectParts?.MaxParts).to.equal(2);
    expect(first.ObjectParts?.IsTruncated).to.equal(true);
    expect(first.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size])).to.deep.equal([[1, PART.length], [2, PART.length]]);
    expect(first.ObjectParts?.Parts?.[0].ChecksumCRC32).to.be.a('string');
    expect(first.ObjectParts?.NextPartNumberMarker).to.equal('2');

    const rest = await s3.send(new GetObjectAttributesCommand({
      Bucket: BUCKET, Key: 'big.bin', ObjectAttributes: ['ObjectParts'], PartNumberMarker: first.ObjectParts!.NextPartNumberMarker,
    }));
    expect(rest.ObjectParts?.IsTruncated).to.equal(false);
    expect(rest.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size])).to.deep.equal([[3, 4]]);
  });

  it('refuses a missing or unknown attribute, a missing key and an unknown version as S3 does', async () => {
    await expectAwsError(s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', ObjectAttributes: [] })), 'InvalidRequest', 400, /x-amz-object-attributes header/);
    await expectAwsError(
      s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', ObjectAttributes: ['Colour' as 'ETag'] })),
      'InvalidArgument', 400, /Invalid attribute name specified/,
    );
    await expectAwsError(s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'missing', ObjectAttributes: ['ETag'] })), 'NoSuchKey', 404);
    await expectAwsError(s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', VersionId: 'v2', ObjectAttributes: ['ETag'] })), 'NoSuchVersion', 404);
    const nullVersion = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', VersionId: 'null', ObjectAttributes: ['ObjectSize'] }));
    expect(nullVersion.VersionId).to.equal('null');
  });

  it('needs s3:GetObjectAttributes (and s3:GetObjectVersionAttributes with a version)', async () => {
    const iam = new IAMClient(cloud.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectAttributes'], Resource: `arn:aws:s3:::${BUCKET}/*` }] };
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'read', PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
    iam.destroy();
    const reader = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    try {
      const out = await reader.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', ObjectAttributes: ['ObjectSize'] }));
      expect(out.ObjectSize).to.equal(5);
      await expectAwsError(
        reader.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain.txt', VersionId: 'null', ObjectAttributes: ['ObjectSize'] })),
        'AccessDenied', 403, /s3:GetObjectVersion/,
      );
    } finally {
      reader.destroy();
    }
  });

  it('answers the AWS CLI (aws s3api get-object-attributes)', async function () {
    let cli: string;
    try {
      cli = execFileSync('aws', ['--version'], { encoding: 'utf8' });
    } catch {
      this.skip();
    }
    expect(cli).to.match(/aws-cli/);
    // Asynchronously: the cloud answers from this very process.
    const { stdout: out } = await promisify(execFile)('aws', [
      's3api', 'get-object-attributes', '--endpoint-url', cloud.url, '--bucket', BUCKET, '--key', 'big.bin',
      '--object-attributes', 'ETag', 'ObjectSize', 'ObjectParts', '--max-parts', '1',
    ], { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' } });
    const parsed = JSON.parse(out);
    expect(parsed.ETag).to.equal(multipartEtag.replace(/"/g, ''));
    expect(parsed.ObjectSize).to.equal(PART.length * 2 + 4);
    expect(parsed.ObjectParts.TotalPartsCount).to.equal(3);
    expect(parsed.ObjectParts.Parts).to.have.length(1);
  });
});
