import { expect } from 'chai';
import http2 from 'node:http2';
import net from 'node:net';
import { startLocalCloud } from '../../localcloud/localcloud.js';
import { CognitoIdentityClient, GetIdCommand } from '@aws-sdk/nested-clients/cognito-identity';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { rawHttp } from '../support/raw-http.js';

/** Sends raw bytes and resolves with whatever comes back before the server closes or `ms` passes. */
function rawExchange(port: number, payload: string | Buffer, ms = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(payload);
    setTimeout(done, ms);
  });
}

describe('gateway', () => {
  let cloud: TestCloud;
  before(async () => (cloud = await startTestCloud()));
  after(() => cloud.stop());

  it('answers /_localstack/health in LocalStack\'s shape, every service running', async () => {
    const res = await fetch(`${cloud.url}/_localstack/health`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { services: Record<string, string> };
    for (const name of ['s3', 'dynamodb', 'kinesis', 'cloudwatch', 'logs', 'iam', 'sts', 'lambda', 'cloudformation']) {
      expect(body.services[name], name).to.equal('running');
    }
  });

  it('grants CORS preflight only to origins it was told about, exposing the headers browser SDKs read', async () => {
    const ask = (origin: string) =>
      fetch(`${cloud.url}/`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target,authorization' },
      });
    expect((await ask('http://localhost:8080')).status).to.equal(403);
    cloud.cloud.allowOrigin('http://localhost:8080');
    const res = await ask('http://localhost:8080');
    expect(res.status).to.equal(200);
    expect(res.headers.get('access-control-allow-origin')).to.equal('http://localhost:8080');
    expect(res.headers.get('access-control-allow-headers')).to.equal('x-amz-target,authorization');
    expect(res.headers.get('access-control-expose-headers')).to.include('x-amz-function-error');
    expect(res.headers.get('access-control-allow-credentials')).to.equal(null);
  });

  it('answers an unknown X-Amz-Target with a JSON AWS error naming it, not a crash', async () => {
    const res = await fetch(`${cloud.url}/`, { method: 'POST', headers: { 'x-amz-target': 'NoSuchService_2020.Foo' }, body: '{}' });
    expect(res.status).to.equal(501);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).to.equal('InternalFailure');
    expect(body.message).to.match(/does not serve the NoSuchService_2020 service/);
  });

  describe('a service localcloud does not serve', () => {
    it('gets a 501 its SDK shows, naming the service (SDK v3 Cognito Identity client)', async () => {
      const client = new CognitoIdentityClient(cloud.clientConfig());
      try {
        const error = await expectAwsError(client.send(new GetIdCommand({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' })), 'InternalFailure', 501);
        expect(error.message).to.match(/localcloud does not serve the AWSCognitoIdentityService service \(it serves .*sqs/);
        // Not retried: 501 is not a transient status.
        expect((error as unknown as { $metadata: { attempts?: number } }).$metadata.attempts).to.equal(1);
      } finally {
        client.destroy();
      }
    });

    it('answers a JSON-protocol service in JSON, by its SigV4 signing name', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body: '{"SecretId":"db"}',
        sign: { service: 'secretsmanager' },
      });
      expect(res.status).to.equal(501);
      expect(res.headers['content-type']).to.equal('application/x-amz-json-1.1');
      const body = JSON.parse(res.body);
      expect(body.__type).to.equal('InternalFailure');
      expect(body.message).to.match(/does not serve the secretsmanager service \(it serves [a-z, ]*s3[a-z, ]*\)/);
    });

    it('answers a query-protocol service in query XML, not S3 XML', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=DescribeInstances&Version=2016-11-15',
        sign: { service: 'ec2' },
      });
      expect(res.status).to.equal(501);
      expect(res.body).to.match(/<ErrorResponse><Error><Type>Receiver<\/Type><Code>InternalFailure<\/Code><Message>localcloud does not serve the ec2 service/);
    });

    it('answers a REST service in JSON (a signed API Gateway GET)', async () => {
      const res = await rawHttp(cloud.url, { method: 'GET', path: '/restapis', sign: { service: 'apigateway' } });
      expect(res.status).to.equal(501);
      expect(JSON.parse(res.body).message).to.match(/does not serve the apigateway service/);
    });

    it('still routes an unknown operation of a served service to that service', async () => {
      const res = await rawHttp(cloud.url, {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_29990101.ListTables' },
        body: '{}',
        sign: { service: 'dynamodb' },
      });
      expect(res.status).to.equal(400);
      expect(JSON.parse(res.body).__type).to.match(/UnknownOperation/);
    });
  });

  it('speaks cleartext HTTP/2 (prior knowledge) on the same port as HTTP/1.1', async () => {
    const session = http2.connect(cloud.url);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':method': 'GET', ':path': '/_localstack/health' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.end();
      });
      expect(status).to.equal(200);
    } finally {
      session.close();
    }
  });

  it('survives garbage: random bytes, a broken request line, a truncated body, a bogus h2 preface', async () => {
    const port = new URL(cloud.url).port;
    await rawExchange(Number(port), Buffer.from([0, 1, 2, 3, 255, 254, 10, 13, 10, 13]));
    const broken = await rawExchange(Number(port), 'GARBAGE / NOTHTTP\r\n\r\n');
    expect(broken).to.match(/^HTTP\/1\.1 400/);
    await rawExchange(Number(port), 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort', 300);
    await rawExchange(Number(port), 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nnot-a-frame');
    const res = await fetch(`${cloud.url}/_localstack/health`);
    expect(res.status).to.equal(200);
  });

  it('refuses a body over the limit with a 413 and keeps serving', async () => {
    const small = await startLocalCloud({ port: 0, maxBodyBytes: 1024, log: () => {} });
    try {
      const res = await fetch(`${small.url}/some-bucket/key`, { method: 'PUT', body: Buffer.alloc(64 * 1024, 1) });
      expect(res.status).to.equal(413);
      expect(await res.text()).to.match(/<Code>EntityTooLarge<\/Code>.*1024 bytes/s);
      expect((await fetch(`${small.url}/_localstack/health`)).status).to.equal(200);
    } finally {
      await small.stop();
    }
  });

  it('tells a user clearly when the port is already taken', async () => {
    const port = Number(new URL(cloud.url).port);
    let error: Error | undefined;
    try {
      const second = await startLocalCloud({ port, log: () => {} });
      await second.stop();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.match(new RegExp(`port ${port} .* already in use`));
  });
});
