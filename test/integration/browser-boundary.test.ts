/**
 * The browser boundary over real HTTP: which web pages may call the cloud
 * (Origin), under which names (Host: DNS rebinding), and what a refusal looks
 * like. The SDK calls in between show that requests without an Origin are
 * untouched.
 */
import os from 'node:os';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startLocalCloud } from '../../localcloud/localcloud.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { rawHttp } from '../support/raw-http.js';

const PAGE = 'http://127.0.0.1:8080';
const EVIL = 'http://evil.example';
const DYNAMODB_AUTH = 'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00';

describe('browser boundary', () => {
  let cloud: TestCloud;
  let port: string;
  before(async () => {
    cloud = await startTestCloud({ allowedOrigins: [PAGE], allowedHosts: ['mycloud.test', '*.dev.test'] });
    port = new URL(cloud.url).port;
  });
  after(() => cloud.stop());

  /** The unsigned query-protocol PutMetricData the tests send would have left this namespace behind. */
  async function expectNoMetrics(namespace: string): Promise<void> {
    const listed = await new CloudWatchClient(cloud.clientConfig()).send(new ListMetricsCommand({ Namespace: namespace }));
    expect(listed.Metrics ?? []).to.deep.equal([]);
  }

  describe('Origin', () => {
    it('refuses a simple form POST from a foreign page before it acts, with an AWS error that says what to do', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=PutMetricData&Version=2010-08-01&Namespace=PlantedByAPage&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1',
      });
      expect(res.status).to.equal(403);
      expect(res.headers['access-control-allow-origin']).to.equal(undefined);
      expect(res.headers['access-control-allow-credentials']).to.equal(undefined);
      expect(res.body).to.include('<Code>OriginNotAllowed</Code>');
      expect(res.body).to.include(`Origin ${EVIL} is not allowed to call localcloud; start it with --allow-origin ${EVIL}`);
      await expectNoMetrics('PlantedByAPage');
    });

    it('refuses a foreign preflight with 403 and no CORS grant', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'OPTIONS',
        path: '/2015-03-31/functions',
        headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(res.status).to.equal(403);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).to.deep.equal([]);
    });

    it('answers a foreign JSON-protocol call in the JSON error shape', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { origin: EVIL, 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0', authorization: DYNAMODB_AUTH },
        body: '{}',
      });
      expect(res.status).to.equal(403);
      expect(res.headers['x-amzn-errortype']).to.equal('OriginNotAllowed');
      expect(JSON.parse(res.body)).to.include({ __type: 'OriginNotAllowed' });
    });

    it('grants an allowed origin CORS (preflight and actual request), never with credentials', async () => {
      const preflight = await rawHttp(cloud.url, {
        method: 'OPTIONS',
        path: '/',
        headers: { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target,authorization' },
      });
      expect(preflight.status).to.equal(200);
      expect(preflight.headers['access-control-allow-origin']).to.equal(PAGE);
      expect(preflight.headers['access-control-allow-headers']).to.equal('x-amz-target,authorization');
      expect(preflight.headers['access-control-expose-headers']).to.include('x-amz-function-error');
      expect(preflight.headers['access-control-allow-credentials']).to.equal(undefined);
      expect(preflight.headers['vary']).to.equal('Origin');

      const actual = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { origin: PAGE, 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0', authorization: DYNAMODB_AUTH },
        body: '{}',
      });
      expect(actual.headers['access-control-allow-origin']).to.equal(PAGE);
      expect(actual.headers['access-control-allow-credentials']).to.equal(undefined);
    });

    it('learns an origin at run time (a page server whose port was picked after the cloud started)', async () => {
      const late = 'http://localhost:50123';
      const ask = () => rawHttp(cloud.url, { method: 'OPTIONS', path: '/', headers: { origin: late, 'access-control-request-method': 'POST' } });
      expect((await ask()).status).to.equal(403);
      cloud.cloud.allowOrigin(late);
      const res = await ask();
      expect(res.status).to.equal(200);
      expect(res.headers['access-control-allow-origin']).to.equal(late);
    });

    it("accepts the cloud's own origin (a page it served itself)", async () => {
      const res = await rawHttp(cloud.url, { method: 'OPTIONS', path: '/', headers: { origin: `http://127.0.0.1:${port}`, 'access-control-request-method': 'PUT' } });
      expect(res.status).to.equal(200);
    });

    it('refuses a cross-site request that carries no Origin (an <img> firing a query-protocol GET)', async () => {
      const res = await rawHttp(cloud.url, {
        path: '/?Action=CreateUser&UserName=img-user&Version=2010-05-08',
        headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', referer: 'http://evil.example/page.html' },
      });
      expect(res.status).to.equal(403);
      expect(res.body).to.include('from http://evil.example');
      // The same request from the SDK's world (no browser headers) is not a browser request.
      const sdkLike = await rawHttp(cloud.url, { path: '/_localstack/health' });
      expect(sdkLike.status).to.equal(200);
    });

    it('answers Private Network Access preflights for allowed origins only', async () => {
      const headers = { 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' };
      const allowed = await rawHttp(cloud.url, { method: 'OPTIONS', path: '/', headers: { ...headers, origin: PAGE } });
      expect(allowed.status).to.equal(200);
      expect(allowed.headers['access-control-allow-private-network']).to.equal('true');
      const foreign = await rawHttp(cloud.url, { method: 'OPTIONS', path: '/', headers: { ...headers, origin: 'https://public.example' } });
      expect(foreign.status).to.equal(403);
      expect(foreign.headers['access-control-allow-private-network']).to.equal(undefined);
    });

    it('leaves SDK requests (no Origin) alone', async () => {
      const s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'sdk-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'k', Body: 'v' }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'k' }))).Body?.transformToString()).to.equal('v');
    });
  });

  describe('Host', () => {
    it('refuses a rebound Host, naming it and the fix', async () => {
      const res = await rawHttp(cloud.url, { path: '/_localstack/health', headers: { host: `evil.example:${port}` } });
      expect(res.status).to.equal(403);
      expect(res.body).to.include('<Code>InvalidHostHeader</Code>');
      expect(res.body).to.include(`Host evil.example:${port} is not a name of this localcloud`);
      expect(res.body).to.include('--allow-host evil.example');
    });

    it('refuses it even when the rebound page calls from its own (same) origin', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=PutMetricData&Version=2010-08-01&Namespace=Rebound&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1',
      });
      expect(res.status).to.equal(403);
      await expectNoMetrics('Rebound');
    });

    for (const name of ['localhost', '127.0.0.1', '127.3.2.1', '[::1]', 'api.localhost', 'localhost.localstack.cloud', 's3.localhost.localstack.cloud', 'mycloud.test', 'a.dev.test', 'LOCALHOST']) {
      it(`accepts Host ${name}`, async () => {
        const res = await rawHttp(cloud.url, { path: '/_localstack/health', headers: { host: `${name}:${port}` } });
        expect(res.status, res.body).to.equal(200);
      });
    }

    it('keeps every S3 virtual-host name working', async () => {
      const s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'vhost-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'vhost-bucket', Key: 'hello.txt', Body: 'hi' }));
      for (const host of ['vhost-bucket.localhost', 'vhost-bucket.s3.localhost.localstack.cloud', 'vhost-bucket.s3.us-east-1.localhost.localstack.cloud', 'vhost-bucket.s3.amazonaws.com']) {
        const res = await rawHttp(cloud.url, { path: '/hello.txt', headers: { host: `${host}:${port}` } });
        expect(res.status, `${host}: ${res.body}`).to.equal(200);
        expect(res.body).to.equal('hi');
      }
    });
  });

  describe('configuration', () => {
    it('refuses something that is not an origin at start', async () => {
      let failure: unknown;
      await startLocalCloud({ port: 0, log: () => {}, allowedOrigins: ['http://127.0.0.1:8080/page.html'] }).then((c) => c.stop(), (err) => (failure = err));
      expect(String(failure)).to.include("not an origin: 'http://127.0.0.1:8080/page.html'");
    });

    it('bound beyond loopback: warns what that exposes, and answers to the machine\'s addresses', async () => {
      const logs: string[] = [];
      const wide = await startLocalCloud({ port: 0, host: '0.0.0.0', log: (m) => logs.push(m) });
      try {
        expect(logs.join('\n')).to.match(/WARNING: listening on 0\.0\.0\.0:\d+, beyond this machine/).and.include('test/test').and.include('Lambda');
        const address = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
        if (address) {
          const res = await rawHttp(wide.url, { path: '/_localstack/health', headers: { host: `${address}:${wide.port}` } });
          expect(res.status).to.equal(200);
        }
        const rebound = await rawHttp(wide.url, { path: '/_localstack/health', headers: { host: `evil.example:${wide.port}` } });
        expect(rebound.status).to.equal(403);
      } finally {
        await wide.stop();
      }
    });

    it('stays quiet on loopback', async () => {
      const logs: string[] = [];
      const local = await startLocalCloud({ port: 0, log: (m) => logs.push(m) });
      await local.stop();
      expect(logs.join('\n')).not.to.include('WARNING');
    });
  });
});
