import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import yazl from 'yazl';
import { NodeSha256 } from '../unit/auth/sigv4-helpers.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';

/**
 * What the soak (`make soak`) found once its requests were signed: JSON
 * bodies nested thousands deep, and what the account root's unchecked
 * secret must not let through (the checks that need no secret).
 */
describe('soak findings', function () {
  let cloud: TestCloud;
  const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };

  before(async () => {
    cloud = await startTestCloud();
  });
  after(async () => {
    await cloud?.stop();
  });

  interface Call {
    service: string;
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    signingDate?: Date;
    /** Sign this body, send `body`. */
    signedBody?: string;
    presignSeconds?: number;
    tamper?: (signed: { path: string; headers: Record<string, string> }) => { path: string; headers: Record<string, string> };
  }

  /** A request signed with SigV4 as the SDK signs it, then sent with fetch. */
  async function send(call: Call): Promise<{ status: number; text: string; code?: string }> {
    const url = new URL(cloud.url);
    const host = `${url.hostname}:${url.port}`;
    const [pathname, rawQuery = ''] = (call.path ?? '/').split('?');
    const query = Object.fromEntries(new URLSearchParams(rawQuery));
    const signer = new SignatureV4({ service: call.service, region: 'us-east-1', credentials: call.credentials ?? ROOT, sha256: NodeSha256, uriEscapePath: call.service !== 's3' });
    const request = { method: call.method ?? 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: pathname!, query, headers: { ...call.headers, host }, body: call.signedBody ?? call.body ?? '' };
    let signed: { path: string; headers: Record<string, string> };
    if (call.presignSeconds !== undefined) {
      const presigned = await signer.presign(request, { expiresIn: call.presignSeconds, signingDate: call.signingDate });
      signed = { path: `${pathname}?${new URLSearchParams(presigned.query as Record<string, string>).toString()}`, headers: { ...call.headers } };
    } else {
      const out = await signer.sign(request, { signingDate: call.signingDate });
      signed = { path: call.path ?? '/', headers: { ...(out.headers as Record<string, string>) } };
    }
    if (call.tamper) signed = call.tamper(signed);
    delete signed.headers.host;
    const res = await fetch(`${cloud.url}${signed.path}`, { method: request.method, headers: signed.headers, body: call.body });
    const text = await res.text();
    const code = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? (text.startsWith('{') ? (JSON.parse(text) as { __type?: string }).__type : undefined);
    return { status: res.status, text, code };
  }

  const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

  it('Lambda: a function name with broken percent-encoding is a 400, not a 500', async () => {
    for (const path of ['/2015-03-31/functions/%E0%A4%A/configuration', '/2015-03-31/functions/%E0%A4%A/invocations']) {
      const res = await send({ service: 'lambda', method: path.endsWith('invocations') ? 'POST' : 'GET', path, body: path.endsWith('invocations') ? '{}' : undefined });
      expect(res.status, `${path}: ${res.text}`).to.equal(400);
      expect(res.code).to.equal('ValidationException');
    }
  });

  it('CloudWatch ListMetrics: a Namespace longer than 255 characters is a ValidationError, not a search', async () => {
    const res = await send({
      service: 'monitoring',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' },
      body: JSON.stringify({ Namespace: 'N'.repeat(256) }),
    });
    expect(res.status, res.text).to.equal(400);
    // JSON 1.0 spells it ValidationException; query-era clients read ValidationError from x-amzn-query-error.
    expect(res.code).to.equal('ValidationException');
    expect(res.text).to.include("at 'namespace' failed to satisfy constraint: Member must have length less than or equal to 255");
  });

  describe('JSON bodies nested past the decoder limit (1,000 levels)', () => {
    const services: [string, string, string, string][] = [
      ['CloudWatch ListMetrics', 'monitoring', 'GraniteServiceVersion20100801.ListMetrics', 'application/x-amz-json-1.0'],
      ['Kinesis ListStreams', 'kinesis', 'Kinesis_20131202.ListStreams', 'application/x-amz-json-1.1'],
      ['Logs DescribeLogGroups', 'logs', 'Logs_20140328.DescribeLogGroups', 'application/x-amz-json-1.1'],
    ];
    for (const [label, service, target, contentType] of services) {
      // CloudWatch ignored the unknown member and answered 200 to 5,000 levels of it.
      it(`${label}: refuses 5,000 levels of an unknown member with SerializationException, accepts 900`, async () => {
        const deep = await send({ service, headers: { 'content-type': contentType, 'x-amz-target': target }, body: deepObject(5000) });
        expect(deep.status, deep.text).to.equal(400);
        expect(deep.code).to.match(/^SerializationException/);
        const shallow = await send({ service, headers: { 'content-type': contentType, 'x-amz-target': target }, body: deepObject(900) });
        expect(shallow.status, shallow.text).to.equal(200);
      });
    }

    it('DynamoDB: refuses a body nested 5,000 deep with its nesting ValidationException', async () => {
      const answer = await send({ service: 'dynamodb', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: deepObject(5000) });
      expect(answer.status, answer.text).to.equal(400);
      expect(answer.code).to.equal('ValidationException');
      expect(answer.text).to.match(/Nesting Levels have exceeded supported limits/);
    });

    it('brackets inside strings do not count', async () => {
      const answer = await send({ service: 'kinesis', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' }, body: JSON.stringify({ ExclusiveStartStreamName: '{['.repeat(3000) }) });
      expect(answer.code ?? '').to.not.match(/^SerializationException/);
    });
  });

  describe("the account root: its secret is not checked, what needs no secret is", () => {
    const ddb = { service: 'dynamodb', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' };

    it('lets in a signature made with another secret', async () => {
      const answer = await send({ ...ddb, credentials: { accessKeyId: 'test', secretAccessKey: 'not-test' } });
      expect(answer.status, answer.text).to.equal(200);
    });

    it('refuses another secret an hour late (the clock is checked whatever the secret)', async () => {
      const answer = await send({ ...ddb, credentials: { accessKeyId: 'test', secretAccessKey: 'not-test' }, signingDate: new Date(Date.now() - 3600_000) });
      expect(answer.status, answer.text).to.equal(400);
      expect(answer.code).to.equal('InvalidSignatureException');
      expect(answer.text).to.match(/Signature expired/);
    });

    it('refuses a signature over another body outside S3 (a signed x-amz-content-sha256 that is not the body\'s)', async () => {
      const answer = await send({ ...ddb, signedBody: '{"Limit":1}' });
      expect(answer.status, answer.text).to.equal(400);
      expect(answer.code).to.equal('InvalidSignatureException');
    });

    it('refuses an S3 body whose x-amz-content-sha256 was changed after signing', async () => {
      const created = await send({ service: 's3', method: 'PUT', path: '/soak-findings-bucket' });
      expect(created.status, created.text).to.equal(200);
      const answer = await send({
        service: 's3',
        method: 'PUT',
        path: '/soak-findings-bucket/key',
        body: 'soak',
        tamper: (s) => ({ ...s, headers: { ...s.headers, 'x-amz-content-sha256': createHash('sha256').update('another body').digest('hex') } }),
      });
      expect(answer.status, answer.text).to.equal(400);
      expect(answer.code).to.equal('XAmzContentSHA256Mismatch');
    });

    for (const [label, service, path] of [
      ['Lambda', 'lambda', '/2015-03-31/functions'],
      ['STS', 'sts', '/?Action=GetCallerIdentity&Version=2011-06-15'],
    ] as const) {
      it(`${label}: refuses a presigned URL whose X-Amz-Expires was changed to 0 (the expiry is checked whatever the secret)`, async () => {
        const answer = await send({ service, method: 'GET', path, presignSeconds: 60, tamper: (s) => ({ ...s, path: s.path.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=0') }) });
        expect(answer.status, answer.text).to.be.within(400, 403);
        expect(answer.code).to.match(/^(InvalidSignatureException|SignatureDoesNotMatch|AccessDenied)/);
      });
    }
  });
});

/**
 * The soak's 50-client load on a cloud with a state folder peaked near 1,000
 * descriptors: LevelDB (1.20, in classic-level and leveldown) opens its files
 * without close-on-exec, so every function environment started while stores
 * were open inherited four descriptors per store (LOCK, LOG, MANIFEST, the
 * write-ahead log) — and kept compacted, deleted files on disk while it lived.
 */
describe('soak findings: descriptors with a state folder', function () {
  const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  let cloud: TestCloud;
  let state: ReturnType<typeof tempDir>;

  before(async () => {
    state = tempDir('soak-fds-');
    cloud = await startTestCloud({ stateDir: state.dir });
  });
  after(async () => {
    await cloud?.stop();
    state?.cleanup();
  });

  it("a function's environment holds none of the cloud's store files", async function () {
    if (process.platform !== 'linux') this.skip();
    // A DynamoDB and a Kinesis store open in each region: twelve LevelDB files open in the cloud's process.
    for (const region of REGIONS) {
      const ddb = new DynamoDBClient(cloud.clientConfig(region));
      const kinesis = new KinesisClient(cloud.clientConfig(region));
      await ddb.send(new CreateTableCommand({ TableName: 'fds', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      await kinesis.send(new CreateStreamCommand({ StreamName: 'fds', ShardCount: 1 }));
      ddb.destroy();
      kinesis.destroy();
    }
    const lambda = new LambdaClient(cloud.clientConfig());
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'list-descriptors',
          Runtime: 'nodejs22.x',
          Role: await createExecutionRole(cloud.clientConfig(), 'list-descriptors-role'),
          Handler: 'index.handler',
          Code: { ZipFile: await zipOne('index.js', LIST_DESCRIPTORS) },
        }),
      );
      const { Payload, FunctionError } = await lambda.send(new InvokeCommand({ FunctionName: 'list-descriptors' }));
      const text = Buffer.from(Payload ?? []).toString('utf8');
      expect(FunctionError, text).to.equal(undefined);
      const targets = JSON.parse(text) as string[];
      expect(targets.filter((t) => t.startsWith(state.dir)), 'state files held by the environment').to.deep.equal([]);
    } finally {
      lambda.destroy();
    }
  });
});

/** A handler answering what each of its process's descriptors points at. */
const LIST_DESCRIPTORS = `const fs = require('node:fs');
exports.handler = async () =>
  fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try { return [fs.readlinkSync('/proc/self/fd/' + fd)]; } catch { return []; }
  });
`;

function zipOne(name: string, code: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(code), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
