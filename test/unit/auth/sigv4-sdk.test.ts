import { Readable } from 'node:stream';
import { expect } from 'chai';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient, CreateUserCommand } from '@aws-sdk/client-iam';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { readAuth, verify, type SignedRequest, type SigV4Auth } from '../../../localcloud/auth/sigv4/index.js';
import { botocore, botocoreAvailable, captureSdk, capturingHandler, fromSmithy, KEY, NodeSha256, signedAt, wireRequest } from './sigv4-helpers.js';

/**
 * Requests signed by the real clients — SDK v3 (smithy's signer) and botocore
 * (boto3, the AWS CLI) — for every wire protocol localcloud speaks, verified
 * with the key's secret. Each is also verified with another secret, so a
 * verifier that accepted anything would fail here.
 */

const clientConfig = {
  region: 'us-east-1',
  endpoint: 'http://localhost:4566',
  credentials: KEY,
  maxAttempts: 1,
  requestHandler: capturingHandler as never,
  // The capturing handler ends every call with an error the SDK would log.
  logger: { debug() {}, info() {}, warn() {}, error() {} },
};

/** Accepted with the right secret, refused with another. */
function expectVerifies(req: SignedRequest): SigV4Auth {
  const auth = readAuth(req);
  expect(auth.kind).to.be.oneOf(['header', 'presigned']);
  verify(req, auth, KEY.secretAccessKey, signedAt(req));
  expect(() => verify(req, auth, 'another secret', signedAt(req))).to.throw().with.property('reason', 'SignatureDoesNotMatch');
  return auth as SigV4Auth;
}

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:process-batch';
const ODD_KEYS = ['a b.txt', 'a+b=c~d.txt', 'dir/ü/中文.json', "!*'()&$@:,;.txt", 'percent%20literal', 'dots/../and//slashes/./x'];

describe('sigv4: requests signed by SDK v3 clients', () => {
  it('JSON 1.0 (DynamoDB PutItem)', async () => {
    const client = new DynamoDBClient(clientConfig);
    const req = await captureSdk(() => client.send(new PutItemCommand({ TableName: 't', Item: { id: { S: 'ü' } } })));
    expect(req.headers['x-amz-target']).to.equal('DynamoDB_20120810.PutItem');
    expect(expectVerifies(req).service).to.equal('dynamodb');
  });

  it('JSON 1.1 over CBOR/JSON (Kinesis PutRecords)', async () => {
    const client = new KinesisClient(clientConfig);
    const req = await captureSdk(() => client.send(new PutRecordsCommand({ StreamName: 's', Records: [{ PartitionKey: 'p', Data: Buffer.from('x') }] })));
    expectVerifies(req);
  });

  it('JSON 1.0 with awsQueryCompatible (CloudWatch PutMetricData)', async () => {
    const client = new CloudWatchClient(clientConfig);
    const req = await captureSdk(() => client.send(new PutMetricDataCommand({ Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 1 }] })));
    expect(expectVerifies(req).service).to.equal('monitoring');
  });

  it('query (STS GetCallerIdentity, IAM CreateUser)', async () => {
    const sts = await captureSdk(() => new STSClient(clientConfig).send(new GetCallerIdentityCommand({})));
    expectVerifies(sts);
    const iam = await captureSdk(() => new IAMClient(clientConfig).send(new CreateUserCommand({ UserName: 'u+ser=1', Path: '/a b/' })));
    expect(expectVerifies(iam).service).to.equal('iam');
  });

  it('REST-JSON with an ARN in the path (Lambda Invoke): the path is double-encoded', async () => {
    const client = new LambdaClient(clientConfig);
    const req = await captureSdk(() => client.send(new InvokeCommand({ FunctionName: FUNCTION_ARN, Qualifier: '$LATEST', Payload: Buffer.from('{}') })));
    expect(req.rawPath).to.equal('/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aprocess-batch/invocations');
    expectVerifies(req);
  });

  for (const key of ODD_KEYS) {
    it(`S3 GetObject of the key ${JSON.stringify(key)} (the path signed as sent)`, async () => {
      const client = new S3Client({ ...clientConfig, forcePathStyle: true });
      const req = await captureSdk(() => client.send(new GetObjectCommand({ Bucket: 'bucket', Key: key, Range: 'bytes=0-9' })));
      expectVerifies(req);
    });
  }

  it('S3 ListObjectsV2 with a prefix and delimiter to encode', async () => {
    const client = new S3Client({ ...clientConfig, forcePathStyle: true });
    const req = await captureSdk(() => client.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a b/ü+', Delimiter: '/', StartAfter: '' })));
    expectVerifies(req);
  });

  it('S3 PutObject of a buffer (hex x-amz-content-sha256) and of a stream (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    const client = new S3Client({ ...clientConfig, forcePathStyle: true });
    const buffer = await captureSdk(() => client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: 'hello', ContentType: 'text/plain' })));
    expect(buffer.headers['x-amz-content-sha256']).to.match(/^[0-9a-f]{64}$/);
    expectVerifies(buffer);
    const stream = await captureSdk(() =>
      client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]), ContentLength: 11 })),
    );
    expect(stream.headers['x-amz-content-sha256']).to.equal('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expectVerifies(stream);
  });

  it('query strings with repeated keys and empty values (smithy signer directly)', async () => {
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials: KEY, sha256: NodeSha256 });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: 'localhost',
      port: 4566,
      path: '/a/b c/',
      query: { tag: ['z', 'a', 'm'], empty: '', 'sp ace': 'v/1+2', '~t': 'ü' },
      headers: { host: 'localhost:4566', 'x-custom': '  two   spaces  ' },
    });
    expectVerifies(await fromSmithy(signed as never));
  });
});

describe('sigv4: presigned URLs', () => {
  it('@aws-sdk/s3-request-presigner GET and PUT, odd keys included', async () => {
    const client = new S3Client({ ...clientConfig, requestHandler: undefined, forcePathStyle: true });
    for (const key of ODD_KEYS) {
      const get = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bucket', Key: key, ResponseContentDisposition: 'attachment; filename="a b"' }), { expiresIn: 60 });
      expect(expectVerifies(wireRequest('GET', get, {})).expiresSeconds).to.equal(60);
      const put = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'bucket', Key: key, ContentType: 'text/plain' }), { expiresIn: 3600 });
      // The body of a presigned PUT is not signed (UNSIGNED-PAYLOAD): any content goes.
      expectVerifies(wireRequest('PUT', put, { 'content-type': 'text/plain' }, 'any body'));
    }
  });

  it('smithy presign of a non-S3 request (STS GetCallerIdentity as a URL)', async () => {
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: { ...KEY, sessionToken: 'token/+=' }, sha256: NodeSha256 });
    const presigned = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: 'localhost', port: 4566, path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: 'localhost:4566' } },
      { expiresIn: 900 },
    );
    const auth = expectVerifies(await fromSmithy(presigned as never));
    expect(auth.sessionToken).to.equal('token/+=');
  });
});

describe('sigv4: requests signed by botocore (boto3, AWS CLI)', function () {
  before(function () {
    if (!botocoreAvailable()) this.skip();
  });

  it('JSON, query, REST-JSON with an ARN, S3 with odd keys, presigned GET and PUT', () => {
    const requests = botocore([
      { service: 'dynamodb', operation: 'put_item', params: { TableName: 't', Item: { id: { S: 'x' } } }, region: 'us-east-1' },
      { service: 'kinesis', operation: 'put_record', params: { StreamName: 's', PartitionKey: 'p', Data: 'x' }, region: 'eu-west-1' },
      { service: 'sts', operation: 'get_caller_identity', params: {}, region: 'us-east-1' },
      { service: 'iam', operation: 'create_user', params: { UserName: 'u', Path: '/a b/' }, region: 'us-east-1' },
      { service: 'cloudwatch', operation: 'put_metric_data', params: { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 1 }] }, region: 'us-east-1' },
      { service: 'lambda', operation: 'invoke', params: { FunctionName: FUNCTION_ARN, Payload: '{}' }, region: 'us-east-1' },
      ...ODD_KEYS.map((key) => ({ service: 's3', operation: 'put_object', params: { Bucket: 'bucket', Key: key, Body: 'data' }, region: 'us-east-1' })),
      { service: 's3', operation: 'list_objects_v2', params: { Bucket: 'bucket', Prefix: 'a b+c', Delimiter: '/' }, region: 'us-east-1' },
      ...ODD_KEYS.map((key) => ({ service: 's3', operation: 'get_object', params: { Bucket: 'bucket', Key: key }, region: 'us-east-1', presign: 120, signature_version: 's3v4' })),
      { service: 's3', operation: 'put_object', params: { Bucket: 'bucket', Key: 'a b' }, region: 'us-east-1', presign: 600, signature_version: 's3v4', http_method: 'PUT' },
    ]);
    for (const req of requests) expectVerifies(req);
    expect(requests.filter((r) => r.rawQuery.includes('X-Amz-Signature='))).to.have.length(ODD_KEYS.length + 1);
  });
});
