/**
 * Browser upload forms (presigned POST): a multipart/form-data POST to the
 * bucket whose POST policy and signature are in the form
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html),
 * made with SDK v3's createPresignedPost and boto3's generate_presigned_post
 * and sent with fetch/FormData as a page would.
 */
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const BUCKET = 'uploads';

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** Posts the form as a browser does: the fields first, then the file. */
async function post(url: string, fields: Record<string, string>, file: string | Buffer = 'hello', filename = 'hello.txt', headers: Record<string, string> = {}): Promise<Answer> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), filename);
  const res = await fetch(url, { method: 'POST', body: form, headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const errorCode = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
const errorMessage = (body: string) => /<Message>([^<]*)<\/Message>/.exec(body)?.[1]?.replace(/&quot;/g, '"').replace(/&(apos|#39);/g, "'");

describe('s3 presigned POST (browser upload forms)', () => {
  let cloud: TestCloud;
  let s3: S3Client;
  /** An IAM user's client: its secret is checked, so its form signatures are. */
  let uploader: S3Client;
  let uploaderKeys: { accessKeyId: string; secretAccessKey: string };

  const presign = (options: Omit<PresignedPostOptions, 'Bucket'>, client = uploader) => createPresignedPost(client, { Bucket: BUCKET, ...options });

  before(async () => {
    cloud = await startTestCloud();
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const iam = new IAMClient(cloud.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'form-signer' }));
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/user-uploads/*` }] };
    await iam.send(new PutUserPolicyCommand({ UserName: 'form-signer', PolicyName: 'upload', PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'form-signer' }));
    iam.destroy();
    uploaderKeys = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    uploader = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true, credentials: uploaderKeys });
  });

  after(async () => {
    s3.destroy();
    uploader.destroy();
    await cloud.stop();
  });

  it('stores the file with its Content-Type and metadata and answers 204 by default', async () => {
    const { url, fields } = await presign({
      Key: 'user-uploads/${filename}',
      Conditions: [['starts-with', '$key', 'user-uploads/'], ['content-length-range', 1, 1024], ['starts-with', '$Content-Type', 'text/']],
      Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-origin': 'form' },
    });
    const res = await post(url, fields, 'hello form', 'greeting.txt');
    expect(res.status, res.body).to.equal(204);
    expect(res.headers.get('etag')).to.equal('"' + (await import('node:crypto')).createHash('md5').update('hello form').digest('hex') + '"');
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'user-uploads/greeting.txt' }));
    expect(await got.Body!.transformToString()).to.equal('hello form');
    expect(got.ContentType).to.equal('text/plain');
    expect(got.Metadata).to.deep.equal({ origin: 'form' });
  });

  it('answers success_action_status 200 and 201 (PostResponse), and success_action_redirect with 303', async () => {
    for (const status of ['200', '201']) {
      const { url, fields } = await presign({ Key: `user-uploads/status-${status}`, Fields: { success_action_status: status } });
      const res = await post(url, fields);
      expect(res.status, res.body).to.equal(Number(status));
      if (status === '201') {
        expect(res.body).to.match(/<PostResponse[^>]*><Location>[^<]+\/uploads\/user-uploads\/status-201<\/Location><Bucket>uploads<\/Bucket><Key>user-uploads\/status-201<\/Key><ETag>"[0-9a-f]{32}"<\/ETag><\/PostResponse>/);
      }
    }
    const { url, fields } = await presign({ Key: 'user-uploads/redirected', Fields: { success_action_redirect: 'http://app.example.com/done' } });
    const res = await post(url, fields);
    expect(res.status, res.body).to.equal(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).to.equal('http://app.example.com/done');
    expect(location.searchParams.get('key')).to.equal('user-uploads/redirected');
    expect(location.searchParams.get('bucket')).to.equal(BUCKET);
  });

  it('refuses an expired policy', async () => {
    const { url, fields } = await presign({ Key: 'user-uploads/late', Expires: -10 });
    const res = await post(url, fields);
    expect(res.status).to.equal(403);
    expect(errorCode(res.body)).to.equal('AccessDenied');
    expect(errorMessage(res.body)).to.equal('Invalid according to Policy: Policy expired.');
  });

  it('refuses a form that breaks a condition, or has a field no condition covers', async () => {
    const { url, fields } = await presign({ Key: 'user-uploads/photo.jpg', Conditions: [['starts-with', '$Content-Type', 'image/']], Fields: { 'Content-Type': 'image/jpeg' } });
    const wrongType = await post(url, { ...fields, 'Content-Type': 'text/html' });
    expect(wrongType.status).to.equal(403);
    expect(errorMessage(wrongType.body)).to.equal('Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]');
    const otherKey = await post(url, { ...fields, key: 'user-uploads/other.jpg' });
    expect(otherKey.status).to.equal(403);
    expect(errorMessage(otherKey.body)).to.equal('Invalid according to Policy: Policy Condition failed: ["eq", "$key", "user-uploads/photo.jpg"]');
    const extra = await post(url, { ...fields, 'x-amz-meta-sneaky': 'yes' });
    expect(extra.status).to.equal(403);
    expect(errorMessage(extra.body)).to.equal('Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
    const ignored = await post(url, { ...fields, 'x-ignore-tracking': 'yes' });
    expect(ignored.status, ignored.body).to.equal(204);
  });

  it('refuses a file outside content-length-range with EntityTooLarge / EntityTooSmall', async () => {
    const { url, fields } = await presign({ Key: 'user-uploads/sized', Conditions: [['content-length-range', 5, 10]] });
    const large = await post(url, fields, 'x'.repeat(11));
    expect(large.status).to.equal(400);
    expect(errorCode(large.body)).to.equal('EntityTooLarge');
    expect(large.body).to.contain('<MaxSizeAllowed>10</MaxSizeAllowed>');
    const small = await post(url, fields, 'x');
    expect(errorCode(small.body)).to.equal('EntityTooSmall');
    expect(small.body).to.contain('<MinSizeAllowed>5</MinSizeAllowed>');
    expect((await post(url, fields, 'x'.repeat(7))).status).to.equal(204);
  });

  it('refuses a wrong signature, a changed policy and an unknown key, and stores nothing', async () => {
    const { url, fields } = await presign({ Key: 'user-uploads/forged' });
    const forged = await post(url, { ...fields, 'X-Amz-Signature': 'f'.repeat(64) });
    expect(forged.status).to.equal(403);
    expect(errorCode(forged.body)).to.equal('SignatureDoesNotMatch');
    const policy = JSON.parse(Buffer.from(fields.Policy, 'base64').toString());
    policy.expiration = new Date(Date.now() + 86_400_000 * 365).toISOString();
    const stretched = await post(url, { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') });
    expect(errorCode(stretched.body)).to.equal('SignatureDoesNotMatch');
    const unknown = await post(url, { ...fields, 'X-Amz-Credential': fields['X-Amz-Credential'].replace(uploaderKeys.accessKeyId, 'AKIAUNKNOWNKEY000000') });
    expect(errorCode(unknown.body)).to.equal('InvalidAccessKeyId');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'user-uploads/forged' })).catch((err) => err);
    expect(head.name).to.equal('NotFound');
  });

  it('authorizes s3:PutObject as the form\'s signer', async () => {
    const { url, fields } = await presign({ Key: 'elsewhere/file' });
    const res = await post(url, fields);
    expect(res.status).to.equal(403);
    expect(errorCode(res.body)).to.equal('AccessDenied');
    expect(errorMessage(res.body)).to.contain('s3:PutObject');
  });

  it('refuses a form without a key, without a file, or that is not multipart', async () => {
    const { url, fields } = await presign({ Key: 'user-uploads/x' });
    const { key: _key, ...withoutKey } = fields;
    const noKey = await post(url, withoutKey);
    expect(errorCode(noKey.body)).to.equal('InvalidArgument');
    expect(errorMessage(noKey.body)).to.match(/must contain a field named 'key'/);
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const noFile = await fetch(url, { method: 'POST', body: form });
    expect(noFile.status).to.equal(400);
    expect(await noFile.text()).to.contain('POST requires exactly one file upload per request.');
    const urlEncoded = await fetch(url, { method: 'POST', body: new URLSearchParams(fields) });
    expect(urlEncoded.status).to.equal(412);
    const padded = await post(url, { ...fields, 'x-ignore-padding': 'x'.repeat(21 * 1024) });
    expect(padded.status).to.equal(400);
    expect(errorCode(padded.body)).to.equal('MaxPostPreDataLengthExceededError');
  });

  it('follows the bucket\'s CORS rules for a form posted from a page', async () => {
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://app.example.com'], AllowedMethods: ['POST'], ExposeHeaders: ['ETag'] }] } }));
    const { url, fields } = await presign({ Key: 'user-uploads/from-page' });
    const res = await post(url, fields, 'page', 'page.txt', { origin: 'http://app.example.com' });
    expect(res.status, res.body).to.equal(204);
    expect(res.headers.get('access-control-allow-origin')).to.equal('http://app.example.com');
    expect(res.headers.get('access-control-expose-headers')).to.match(/ETag/i);
  });

  it('takes a form from boto3 generate_presigned_post', async function () {
    const script = `
import boto3, sys, json
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
print(json.dumps(s3.generate_presigned_post('${BUCKET}', 'user-uploads/from-boto3', Fields={'Content-Type': 'text/csv'}, Conditions=[{'Content-Type': 'text/csv'}], ExpiresIn=300)))
`;
    let out: string;
    try {
      out = (await promisify(execFile)('python', ['-c', script, cloud.url, uploaderKeys.accessKeyId, uploaderKeys.secretAccessKey])).stdout;
    } catch (err) {
      if (/No module named 'boto3'|ENOENT/.test(String(err))) this.skip();
      throw err;
    }
    const { url, fields } = JSON.parse(out) as { url: string; fields: Record<string, string> };
    const res = await post(url, fields, 'a,b\n1,2\n', 'data.csv');
    expect(res.status, res.body).to.equal(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'user-uploads/from-boto3' }));
    expect(head.ContentType).to.equal('text/csv');
    expect(head.ContentLength).to.equal(8);
  });

  it('takes a legacy SigV2 form (AWSAccessKeyId + signature) from boto3, and refuses a forged one', async function () {
    const script = `
import boto3, sys, json
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], config=Config(signature_version='s3'))
print(json.dumps(s3.generate_presigned_post('${BUCKET}', 'user-uploads/sigv2', ExpiresIn=300)))
`;
    let out: string;
    try {
      out = (await promisify(execFile)('python', ['-c', script, cloud.url, uploaderKeys.accessKeyId, uploaderKeys.secretAccessKey])).stdout;
    } catch (err) {
      if (/No module named 'boto3'|ENOENT/.test(String(err))) this.skip();
      throw err;
    }
    const { url, fields } = JSON.parse(out) as { url: string; fields: Record<string, string> };
    expect(fields).to.have.property('AWSAccessKeyId', uploaderKeys.accessKeyId);
    const forged = await post(url, { ...fields, signature: Buffer.alloc(20).toString('base64') });
    expect(errorCode(forged.body)).to.equal('SignatureDoesNotMatch');
    const res = await post(url, fields, 'v2');
    expect(res.status, res.body).to.equal(204);
  });
});
