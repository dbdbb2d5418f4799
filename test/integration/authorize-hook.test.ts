import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { AwsError } from '../../localcloud/core/errors.js';
import type { ServiceProvider, ServiceRequest } from '../../localcloud/core/types.js';
import { jsonProtocol } from '../../localcloud/protocols/json.js';
import { queryProtocol } from '../../localcloud/protocols/query.js';
import type { IamProvider } from '../../localcloud/services/iam/index.js';
import type { LambdaProvider } from '../../localcloud/services/lambda/index.js';
import type { S3Provider } from '../../localcloud/services/s3/index.js';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

type Call = [operation: string, input: unknown];

/** A request as the gateway would hand it to a service, with an authorize hook that records its calls. */
function request(calls: Call[], fields: Partial<ServiceRequest>, deny?: string): ServiceRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.alloc(0),
    region: 'us-east-1',
    accountId: '000000000000',
    host: 'localhost',
    endpoint: 'http://localhost',
    requestId: 'req-1',
    authorize(operation, input) {
      calls.push([operation, input]);
      if (deny) throw new AwsError('AccessDenied', `not authorized to perform: ${deny}`, 403);
    },
    ...fields,
  };
}

describe('ServiceRequest.authorize: called once per request, before the service acts', () => {
  describe('protocols', () => {
    it('jsonProtocol passes the operation and parsed input, then runs the operation', async () => {
      const ran: string[] = [];
      const handle = jsonProtocol({ targetPrefix: 'Svc_1', version: '1.1', operations: { Put: (input) => (ran.push('Put'), { echoed: input }) } });
      const calls: Call[] = [];
      const response = await handle(request(calls, { headers: { 'x-amz-target': 'Svc_1.Put' }, body: Buffer.from('{"Name":"a"}') }));
      expect(response.status).to.equal(200);
      expect(calls).to.deep.equal([['Put', { Name: 'a' }]]);
      expect(ran).to.deep.equal(['Put']);
    });

    it('jsonProtocol answers a denial in the protocol\'s error shape without running the operation', async () => {
      const ran: string[] = [];
      const handle = jsonProtocol({ targetPrefix: 'Svc_1', version: '1.1', operations: { Put: () => void ran.push('Put') } });
      const calls: Call[] = [];
      const response = await handle(request(calls, { headers: { 'x-amz-target': 'Svc_1.Put' }, body: Buffer.from('{}') }, 'svc:Put'));
      expect(response.status).to.equal(403);
      expect(JSON.parse(String(response.body))).to.deep.include({ __type: 'AccessDenied' });
      expect(calls).to.have.length(1);
      expect(ran).to.deep.equal([]);
    });

    it('jsonProtocol does not ask about operations it does not serve', async () => {
      const handle = jsonProtocol({ targetPrefix: 'Svc_1', version: '1.1', operations: {} });
      const calls: Call[] = [];
      const response = await handle(request(calls, { headers: { 'x-amz-target': 'Svc_1.Nope' } }));
      expect(JSON.parse(String(response.body)).__type).to.equal('UnknownOperationException');
      expect(calls).to.deep.equal([]);
    });

    it('queryProtocol passes the action and the decoded parameters', async () => {
      const ran: string[] = [];
      const handle = queryProtocol({ xmlns: 'urn:x', operations: { DoIt: () => void ran.push('DoIt') } });
      const calls: Call[] = [];
      const body = Buffer.from('Action=DoIt&Version=1&Names.member.1=a&Names.member.2=b&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr');
      const response = await handle(request(calls, { body }));
      expect(response.status).to.equal(200);
      expect(calls).to.deep.equal([['DoIt', { Names: ['a', 'b'], RoleArn: 'arn:aws:iam::1:role/r' }]]);
      expect(ran).to.deep.equal(['DoIt']);
    });

    it('queryProtocol answers a denial as an ErrorResponse without running the action', async () => {
      const ran: string[] = [];
      const handle = queryProtocol({ xmlns: 'urn:x', operations: { DoIt: () => void ran.push('DoIt') } });
      const response = await handle(request([], { body: Buffer.from('Action=DoIt') }, 'x:DoIt'));
      expect(response.status).to.equal(403);
      expect(String(response.body)).to.contain('<Code>AccessDenied</Code>');
      expect(ran).to.deep.equal([]);
    });
  });

  describe('services with their own dispatch', () => {
    let cloud: TestCloud;
    let s3: S3Client;
    const service = <T extends ServiceProvider>(name: string) => cloud.cloud.context.service<T>(name)!;
    before(async () => {
      cloud = await startTestCloud();
      s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    });
    after(() => cloud.stop());

    it('S3 names the SDK operation and its input: ListObjectsV2, CopyObject, DeleteObjects', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'hooked' }));
      const calls: Call[] = [];
      const provider = service<S3Provider>('s3');
      await provider.handle(request(calls, { method: 'GET', path: '/hooked', query: new URLSearchParams('list-type=2&prefix=day%2F&max-keys=5') }));
      await provider.handle(request(calls, { method: 'PUT', path: '/hooked/copy', headers: { 'x-amz-copy-source': '/hooked/src' } }));
      const xml = '<Delete><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v1</VersionId></Object></Delete>';
      await provider.handle(request(calls, { method: 'POST', path: '/hooked', query: new URLSearchParams('delete'), headers: { 'content-md5': createHash('md5').update(xml).digest('base64') }, body: Buffer.from(xml) }));
      expect(calls).to.deep.equal([
        ['ListObjectsV2', { Bucket: 'hooked', Prefix: 'day/', MaxKeys: '5' }],
        ['CopyObject', { Bucket: 'hooked', Key: 'copy', CopySource: '/hooked/src' }],
        ['DeleteObjects', { Bucket: 'hooked', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v1' }] } }],
      ]);
    });

    it('S3 does nothing when authorize denies: the bucket is not created', async () => {
      const calls: Call[] = [];
      const response = await service<S3Provider>('s3').handle(request(calls, { method: 'PUT', path: '/denied-bucket' }, 's3:CreateBucket'));
      expect(response.status).to.equal(403);
      expect(String(response.body)).to.contain('<Code>AccessDenied</Code>');
      expect(calls).to.deep.equal([['CreateBucket', { Bucket: 'denied-bucket' }]]);
      const head = await s3.send(new HeadBucketCommand({ Bucket: 'denied-bucket' })).then(() => 'exists', (err: { name: string }) => err.name);
      expect(head).to.equal('NotFound');
    });

    it('Lambda names the API operation and merges path, query and body into the SDK input', async () => {
      const calls: Call[] = [];
      const lambda = service<LambdaProvider>('lambda');
      await lambda.handle(request(calls, { method: 'GET', path: '/2015-03-31/functions/api:live/configuration', query: new URLSearchParams('Qualifier=live') }));
      await lambda.handle(request(calls, { method: 'POST', path: '/2015-03-31/functions/api/invocations', headers: { 'x-amz-invocation-type': 'Event' }, body: Buffer.from('not json') }));
      await lambda.handle(request(calls, { method: 'POST', path: '/2015-03-31/functions/api/policy', body: Buffer.from('{"StatementId":"s","Action":"lambda:InvokeFunction","Principal":"*"}') }));
      await lambda.handle(request(calls, { method: 'DELETE', path: `/2017-03-31/tags/${encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:api')}`, query: new URLSearchParams('tagKeys=a&tagKeys=b') }));
      expect(calls).to.deep.equal([
        ['GetFunctionConfiguration', { FunctionName: 'api:live', Qualifier: 'live' }],
        ['Invoke', { FunctionName: 'api', InvocationType: 'Event' }],
        ['AddPermission', { FunctionName: 'api', StatementId: 's', Action: 'lambda:InvokeFunction', Principal: '*' }],
        ['UntagResource', { Resource: 'arn:aws:lambda:us-east-1:000000000000:function:api', TagKeys: ['a', 'b'] }],
      ]);
    });
  });

  describe('resource policies and trust policies for the evaluator', () => {
    let cloud: TestCloud;
    before(async () => {
      cloud = await startTestCloud();
    });
    after(() => cloud.stop());

    it('S3 returns the bucket policy for the bucket and its objects', async () => {
      const s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'with-policy' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'without-policy' }));
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::with-policy/*' }],
      });
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'with-policy', Policy: policy }));
      const provider = cloud.cloud.context.service<S3Provider>('s3')!;
      expect(await provider.resourcePolicy('000000000000', 'us-east-1', 'arn:aws:s3:::with-policy')).to.equal(policy);
      expect(await provider.resourcePolicy('000000000000', 'us-east-1', 'arn:aws:s3:::with-policy/a/b.json')).to.equal(policy);
      expect(await provider.resourcePolicy('000000000000', 'us-east-1', 'arn:aws:s3:::without-policy/x')).to.equal(undefined);
      expect(await provider.resourcePolicy('000000000000', 'us-east-1', 'arn:aws:s3:::no-such-bucket')).to.equal(undefined);
    });

    it('Lambda returns each version\'s AddPermission statements, and IAM a role\'s trust policy by ARN', async () => {
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
      const iam = new IAMClient(cloud.clientConfig());
      const role = (await iam.send(new CreateRoleCommand({ RoleName: 'exec', Path: '/service/', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!;
      const lambda = new LambdaClient(cloud.clientConfig());
      const zip = await zipFiles({ 'index.js': 'exports.handler = async () => 1;' });
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'api', Runtime: 'nodejs22.x', Role: role.Arn, Handler: 'index.handler', Code: { ZipFile: zip } }));
      await lambda.send(new PublishVersionCommand({ FunctionName: 'api' }));
      await lambda.send(new AddPermissionCommand({ FunctionName: 'api', StatementId: 'latest', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' }));
      await lambda.send(new AddPermissionCommand({ FunctionName: 'api', Qualifier: '1', StatementId: 'v1', Action: 'lambda:InvokeFunction', Principal: '123456789012' }));

      const provider = cloud.cloud.context.service<LambdaProvider>('lambda')!;
      const arn = 'arn:aws:lambda:us-east-1:000000000000:function:api';
      const sids = async (resource: string) => {
        const policy = await provider.resourcePolicy('000000000000', 'us-east-1', resource);
        return policy === undefined ? undefined : (JSON.parse(policy).Statement as { Sid: string }[]).map((s) => s.Sid);
      };
      expect(await sids(arn)).to.deep.equal(['latest']);
      expect(await sids(`${arn}:$LATEST`)).to.deep.equal(['latest']);
      expect(await sids(`${arn}:1`)).to.deep.equal(['v1']);
      expect(await sids('api:1')).to.deep.equal(['v1']);
      expect(await sids('arn:aws:lambda:us-east-1:000000000000:function:other')).to.equal(undefined);

      const iamProvider = cloud.cloud.context.service<IamProvider>('iam')!;
      expect(iamProvider.roleByArn(role.Arn!)?.trustPolicy.Statement[0]).to.deep.include({ Effect: 'Allow', Action: 'sts:AssumeRole' });
      expect(iamProvider.roleByArn('arn:aws:iam::000000000000:role/exec'), 'the path is part of the ARN').to.equal(undefined);
      expect(iamProvider.entityPath('000000000000', 'role', 'exec')).to.equal('/service/');
    });
  });
});
