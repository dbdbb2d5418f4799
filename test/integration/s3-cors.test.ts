/**
 * S3 answers cross-origin requests from the bucket's CORS configuration, as
 * AWS does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html),
 * and the cloud's browser boundary lets an origin a bucket rule names reach
 * that bucket even when the cloud itself was not told about the origin.
 */
import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { rawHttp } from '../support/raw-http.js';

const TRUSTED_PAGE = 'http://127.0.0.1:8080';
const APP = 'http://app.example.com';
const STRANGER = 'http://stranger.test';
/** Actual requests are signed, as the SDK in a page signs them (with the local keys). */
const SIGNED = { service: 's3' };
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

describe('s3 bucket CORS', () => {
  let cloud: TestCloud;
  let s3: S3Client;

  before(async () => {
    cloud = await startTestCloud({ allowedOrigins: [TRUSTED_PAGE] });
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'no-cors' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'with-cors' }));
    await s3.send(new PutObjectCommand({ Bucket: 'with-cors', Key: 'photo.jpg', Body: 'jpeg' }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'with-cors',
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ['http://*.example.com'],
              AllowedMethods: ['PUT', 'POST'],
              AllowedHeaders: ['x-amz-*', 'Content-Type'],
              ExposeHeaders: ['ETag', 'x-amz-version-id'],
              MaxAgeSeconds: 300,
            },
            { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
          ],
        },
      }),
    );
  });
  after(() => cloud.stop());

  const preflight = (path: string, origin: string | undefined, method: string | undefined, headers?: string, host?: string) =>
    rawHttp(cloud.url, {
      method: 'OPTIONS',
      path,
      headers: {
        ...(origin ? { origin } : {}),
        ...(method ? { 'access-control-request-method': method } : {}),
        ...(headers ? { 'access-control-request-headers': headers } : {}),
        ...(host ? { host } : {}),
      },
    });

  it('refuses a preflight to a bucket without CORS configuration, as S3 does (even from a trusted page)', async () => {
    const res = await preflight('/no-cors/file.txt', TRUSTED_PAGE, 'GET');
    expect(res.status).to.equal(403);
    expect(res.body).to.include('<Code>AccessForbidden</Code>');
    expect(res.body).to.include('<Message>CORSResponse: CORS is not enabled for this bucket.</Message>');
    expect(res.body).to.include('<Method>GET</Method><ResourceType>OBJECT</ResourceType>');
    expect(res.headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('answers a matching preflight with the rule: origin echoed with credentials, methods, headers, exposed headers, max age', async () => {
    const res = await preflight('/with-cors/upload.bin', APP.replace('app', 'cdn'), 'PUT', 'Content-Type, X-Amz-Date');
    expect(res.status).to.equal(200);
    expect(res.headers).to.include({
      'access-control-allow-origin': 'http://cdn.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT, POST',
      'access-control-allow-headers': 'content-type, x-amz-date',
      'access-control-expose-headers': 'ETag, x-amz-version-id',
      'access-control-max-age': '300',
    });
  });

  it('answers `*` for a rule allowing every origin, without credentials', async () => {
    const res = await preflight('/with-cors/photo.jpg', STRANGER, 'GET');
    expect(res.status).to.equal(200);
    expect(res.headers['access-control-allow-origin']).to.equal('*');
    expect(res.headers['access-control-allow-credentials']).to.equal(undefined);
  });

  it('refuses a preflight no rule allows: method, origin, a header, an origin in other case', async () => {
    for (const [origin, method, headers] of [
      [APP, 'DELETE', undefined],
      [STRANGER, 'PUT', undefined],
      [APP, 'PUT', 'authorization'],
      ['http://app.EXAMPLE.com', 'PUT', undefined],
    ] as const) {
      const res = await preflight('/with-cors/photo.jpg', origin, method, headers);
      expect(res.status, `${origin} ${method} ${headers}`).to.equal(403);
      expect(res.body.replaceAll('&apos;', "'")).to.include(`<Message>${NOT_ALLOWED}</Message>`);
    }
  });

  it('wants an Origin and a method in a preflight; a missing bucket is named', async () => {
    const noOrigin = await preflight('/with-cors/photo.jpg', undefined, 'GET');
    expect(noOrigin.status).to.equal(400);
    expect(noOrigin.body).to.include('Insufficient information. Origin request header needed.');
    const noMethod = await preflight('/with-cors/photo.jpg', APP, undefined);
    expect(noMethod.status).to.equal(400);
    expect(noMethod.body).to.include('Invalid Access-Control-Request-Method: null');
    const port = new URL(cloud.url).port;
    const gone = await preflight('/photo.jpg', APP, 'GET', undefined, `no-such-bucket.s3.localhost.localstack.cloud:${port}`);
    expect(gone.status).to.equal(403);
    expect(gone.body).to.include('CORSResponse: Bucket not found');
  });

  it('gives an actual request from an origin a rule names the rule\'s headers, though the cloud was not told about that origin', async () => {
    const res = await rawHttp(cloud.url, { method: 'PUT', path: '/with-cors/from-app.txt', headers: { origin: APP }, sign: SIGNED, body: 'x' });
    expect(res.headers['access-control-allow-origin']).to.equal(APP);
    expect(res.headers['access-control-expose-headers']).to.equal('ETag, x-amz-version-id');
    expect(res.status).not.to.equal(403);
  });

  it('does not open the bucket to every page for a bare `*` rule: the local keys are public', async () => {
    const res = await rawHttp(cloud.url, { path: '/with-cors/photo.jpg', headers: { origin: STRANGER }, sign: SIGNED });
    expect(res.status).to.equal(403);
    expect(res.body).to.include('<Code>OriginNotAllowed</Code>');
    // A page the cloud trusts gets the `*` rule's answer.
    const trusted = await rawHttp(cloud.url, { path: '/with-cors/photo.jpg', headers: { origin: TRUSTED_PAGE }, sign: SIGNED });
    expect(trusted.headers['access-control-allow-origin']).to.equal('*');
  });

  it('adds no CORS headers to a trusted page\'s request no rule matches, as S3 does', async () => {
    const res = await rawHttp(cloud.url, { method: 'DELETE', path: '/with-cors/gone.txt', headers: { origin: TRUSTED_PAGE }, sign: SIGNED });
    expect(res.headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('refuses a rule PutBucketCors would refuse', async () => {
    await expectAwsError(
      s3.send(new PutBucketCorsCommand({ Bucket: 'no-cors', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }] } })),
      'InvalidRequest',
      400,
      /unsupported HTTP method in CORS config. Unsupported method is PATCH/,
    );
    await expectAwsError(
      s3.send(new PutBucketCorsCommand({ Bucket: 'no-cors', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://*.*.example'], AllowedMethods: ['GET'] }] } })),
      'InvalidRequest',
      400,
      /can not have more than one wildcard/,
    );
  });
});
