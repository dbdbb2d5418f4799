import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole, LAMBDA_TRUST_POLICY } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { zipFiles, zipFixture } from '../fixtures/lambda/zip.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-test-role';

describe('Lambda', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let behaviours: Buffer;
  let counter = 0;

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    behaviours = await zipFixture('behaviours');
    expect(await createExecutionRole(cloud.clientConfig(), 'lambda-test-role')).to.equal(ROLE);
  });

  after(async () => {
    lambda?.destroy();
    await cloud?.stop();
  });

  /** A fresh function name per test, so tests never share environments. */
  const uniqueName = (prefix: string) => `${prefix}-${++counter}`;

  async function createFunction(handler: string, overrides: Partial<CreateFunctionCommandInput> = {}, zip = behaviours): Promise<string> {
    const name = (overrides.FunctionName as string | undefined) ?? uniqueName(handler.replace(/[^a-zA-Z0-9]/g, '-'));
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Role: ROLE, Handler: handler, Code: { ZipFile: zip }, ...overrides }),
    );
    return name;
  }

  async function invoke(name: string, payload: unknown = {}, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) {
    const output = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));
    return { output, body: parsePayload(output) };
  }

  function parsePayload(output: InvokeCommandOutput): any {
    const text = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
    return text ? JSON.parse(text) : undefined;
  }

  describe('function API', () => {
    it('CreateFunction answers the configuration AWS answers', async () => {
      const name = uniqueName('shape');
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Role: ROLE,
          Handler: 'index.echo',
          Code: { ZipFile: behaviours },
          Description: 'shape check',
          Environment: { Variables: { GREETING: 'hello' } },
        }),
      );
      expect(created.$metadata.httpStatusCode).to.equal(201);
      expect(created.FunctionName).to.equal(name);
      expect(created.FunctionArn).to.equal(`arn:aws:lambda:us-east-1:000000000000:function:${name}`);
      expect(created.Runtime).to.equal('nodejs22.x');
      expect(created.Handler).to.equal('index.echo');
      expect(created.Role).to.equal(ROLE);
      expect(created.Timeout).to.equal(3);
      expect(created.MemorySize).to.equal(128);
      expect(created.Version).to.equal('$LATEST');
      expect(created.State).to.equal('Active');
      expect(created.LastUpdateStatus).to.equal('Successful');
      expect(created.PackageType).to.equal('Zip');
      expect(created.Description).to.equal('shape check');
      expect(created.Environment?.Variables).to.deep.equal({ GREETING: 'hello' });
      expect(created.CodeSize).to.equal(behaviours.length);
      expect(created.CodeSha256).to.equal(createHash('sha256').update(behaviours).digest('base64'));
      expect(created.LastModified).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
      expect(created.RevisionId).to.be.a('string');
    });

    it('finds a function by name, partial ARN and full ARN', async () => {
      const name = await createFunction('index.echo');
      for (const ref of [name, `000000000000:function:${name}`, `arn:aws:lambda:us-east-1:000000000000:function:${name}`]) {
        const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ref }));
        expect(config.FunctionName).to.equal(name);
      }
      const { body } = await invoke(`arn:aws:lambda:us-east-1:000000000000:function:${name}`, { via: 'arn' });
      expect(body.event).to.deep.equal({ via: 'arn' });
    });

    it('GetFunction links to the deployment package', async () => {
      const name = await createFunction('index.echo');
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      expect(fn.Configuration?.FunctionName).to.equal(name);
      expect(fn.Code?.RepositoryType).to.equal('S3');
      const response = await fetch(fn.Code!.Location!);
      expect(response.status).to.equal(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(behaviours)).to.equal(true);
      const tampered = fn.Code!.Location!.replace(/X-Amz-Signature=[0-9a-f]/, 'X-Amz-Signature=z');
      expect((await fetch(tampered)).status).to.equal(403);
    });

    it('ListFunctions pages through functions', async () => {
      const names = [await createFunction('index.echo'), await createFunction('index.echo'), await createFunction('index.echo')];
      const seen: string[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
        expect(page.Functions!.length).to.be.at.most(2);
        seen.push(...page.Functions!.map((f) => f.FunctionName!));
        marker = page.NextMarker;
      } while (marker);
      for (const name of names) expect(seen).to.include(name);
      expect(new Set(seen).size).to.equal(seen.length);
    });

    it('answers AWS errors for bad requests', async () => {
      const name = await createFunction('index.echo');
      await expectAwsError(createFunction('index.echo', { FunctionName: name }), 'ResourceConflictException', 409);
      const missing = await expectAwsError(lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-function' })), 'ResourceNotFoundException', 404);
      expect(missing.message).to.equal('Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function');
      await expectAwsError(invoke('no-such-function'), 'ResourceNotFoundException', 404);
      await expectAwsError(createFunction('index.echo', { Role: 'not-a-role' }), 'ValidationException', 400);
      await expectAwsError(createFunction('index.echo', { Timeout: 901 }), 'ValidationException', 400);
      await expectAwsError(createFunction('index.echo', { Runtime: 'nodejs6.10' }), 'InvalidParameterValueException', 400);
      await expectAwsError(createFunction('index.echo', { Runtime: 'python3.12' }), 'InvalidParameterValueException', 400);
      await expectAwsError(createFunction('index.echo', { Environment: { Variables: { AWS_REGION: 'x' } } }), 'InvalidParameterValueException', 400);
      await expectAwsError(createFunction('index.echo', {}, Buffer.from('not a zip')), 'InvalidParameterValueException', 400);
      await expectAwsError(invoke(name, undefined, { Payload: Buffer.from('{not json') }), 'InvalidRequestContentException', 400);
      await expectAwsError(invoke(name, undefined, { Payload: Buffer.alloc(6 * 1024 * 1024 + 1, 32) }), 'RequestTooLargeException', 413);
    });

    it('UpdateFunctionConfiguration takes effect on the next invocation', async () => {
      const name = await createFunction('index.echo', { Environment: { Variables: { GREETING: 'hello' } } });
      expect((await invoke(name)).body.env.GREETING).to.equal('hello');
      const updated = await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { GREETING: 'bonjour' } }, MemorySize: 256 }),
      );
      expect(updated.MemorySize).to.equal(256);
      const { body } = await invoke(name);
      expect(body.env.GREETING).to.equal('bonjour');
      expect(body.context.memoryLimitInMB).to.equal('256');
    });

    it('UpdateFunctionCode takes effect, and in-flight invocations finish on the old code', async () => {
      const version = (v: string) => zipFiles({ 'index.js': `exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms || 0)); return '${v}'; };` });
      const name = await createFunction('index.handler', {}, await version('v1'));
      expect((await invoke(name)).body).to.equal('v1');
      const inFlight = invoke(name, { ms: 500 });
      await new Promise((r) => setTimeout(r, 100));
      const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await version('v2') }));
      expect(updated.CodeSha256).to.equal(createHash('sha256').update(await version('v2')).digest('base64'));
      expect((await inFlight).body).to.equal('v1');
      expect((await invoke(name)).body).to.equal('v2');
    });

    it('publishes versions and invokes them by qualifier', async () => {
      const name = await createFunction('index.echo', { Publish: true, Environment: { Variables: { GREETING: 'one' } } });
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { GREETING: 'two' } } }));
      const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
      expect(v2.Version).to.equal('2');
      const one = await invoke(name, {}, { Qualifier: '1' });
      expect(one.output.ExecutedVersion).to.equal('1');
      expect(one.body.env.GREETING).to.equal('one');
      expect(one.body.context.invokedFunctionArn).to.match(/:function:[^:]+:1$/);
      expect((await invoke(`${name}:2`)).body.env.GREETING).to.equal('two');
      expect((await invoke(name)).output.ExecutedVersion).to.equal('$LATEST');
    });

    it('DeleteFunction removes the function', async () => {
      const name = await createFunction('index.echo');
      await invoke(name);
      const deleted = await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
      expect(deleted.$metadata.httpStatusCode).to.equal(204);
      await expectAwsError(invoke(name), 'ResourceNotFoundException', 404);
      await expectAwsError(lambda.send(new DeleteFunctionCommand({ FunctionName: name })), 'ResourceNotFoundException', 404);
    });

    it('reads code from S3', async () => {
      const s3 = new S3Client(cloud.clientConfig());
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'lambda-code' }));
        await s3.send(new PutObjectCommand({ Bucket: 'lambda-code', Key: 'fns/behaviours.zip', Body: behaviours }));
        const name = uniqueName('from-s3');
        const created = await lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Runtime: 'nodejs22.x',
            Role: ROLE,
            Handler: 'index.echo',
            Code: { S3Bucket: 'lambda-code', S3Key: 'fns/behaviours.zip' },
          }),
        );
        expect(created.CodeSha256).to.equal(createHash('sha256').update(behaviours).digest('base64'));
        expect((await invoke(name, { from: 's3' })).body.event).to.deep.equal({ from: 's3' });
        const err = await expectAwsError(
          lambda.send(new CreateFunctionCommand({ FunctionName: uniqueName('from-s3'), Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.echo', Code: { S3Bucket: 'lambda-code', S3Key: 'missing.zip' } })),
          'InvalidParameterValueException',
        );
        expect(err.message).to.contain('NoSuchKey');
      } finally {
        s3.destroy();
      }
    });
  });

  describe('handlers', () => {
    it('runs a CommonJS async handler with the context AWS gives', async () => {
      const name = await createFunction('index.echo', { Timeout: 7, MemorySize: 192 });
      const { output, body } = await invoke(name, { hello: 'world' });
      expect(output.StatusCode).to.equal(200);
      expect(output.FunctionError).to.equal(undefined);
      expect(output.ExecutedVersion).to.equal('$LATEST');
      expect(body.event).to.deep.equal({ hello: 'world' });
      const context = body.context;
      expect(context.functionName).to.equal(name);
      expect(context.functionVersion).to.equal('$LATEST');
      expect(context.invokedFunctionArn).to.equal(`arn:aws:lambda:us-east-1:000000000000:function:${name}`);
      expect(context.memoryLimitInMB).to.equal('192');
      expect(context.awsRequestId).to.match(/^[0-9a-f-]{36}$/);
      expect(context.logGroupName).to.equal(`/aws/lambda/${name}`);
      expect(context.logStreamName).to.match(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(context.remainingTimeInMillis).to.be.within(5000, 7000);
      expect(context.callbackWaitsForEmptyEventLoop).to.equal(true);
    });

    it('loads ES modules: .js under "type": "module", and .mjs', async () => {
      const esm = await createFunction('app.handler', {}, await zipFixture('esm-type-module'));
      expect((await invoke(esm, { a: 1 })).body).to.deep.equal({ module: 'esm', file: 'app.js', event: { a: 1 } });
      const mjs = await createFunction('handler.main', {}, await zipFixture('esm-mjs'));
      const { body } = await invoke(mjs, { b: 2 });
      expect(body.module).to.equal('mjs');
      expect(body.event).to.deep.equal({ b: 2 });
    });

    it('loads .cjs files, nested paths and nested exports', async () => {
      const cjs = await createFunction('handler.main', {}, await zipFixture('cjs-extension'));
      expect((await invoke(cjs, { c: 3 })).body).to.deep.equal({ module: 'cjs', event: { c: 3 } });
      const nested = await createFunction('src/handlers/api.handler', {}, await zipFixture('nested'));
      expect((await invoke(nested, { message: 'hi' })).body).to.deep.equal({ nested: true, message: 'HI' });
      const deep = await createFunction('index.nested.deeper.handler');
      expect((await invoke(deep)).body).to.equal('nested export');
    });

    it('supports callbacks and the legacy context.succeed / fail / done', async () => {
      expect((await invoke(await createFunction('index.callback'), { x: 1 })).body).to.deep.equal({ style: 'callback', event: { x: 1 } });
      expect((await invoke(await createFunction('index.succeed'))).body).to.deep.equal({ legacy: 'succeed' });
      expect((await invoke(await createFunction('index.done'))).body).to.deep.equal({ legacy: 'done' });
      const failed = await invoke(await createFunction('index.fail'));
      expect(failed.output.FunctionError).to.equal('Unhandled');
      expect(failed.body.errorMessage).to.equal('legacy failure');
      const callbackError = await invoke(await createFunction('index.callbackError'));
      expect(callbackError.output.FunctionError).to.equal('Unhandled');
      expect(callbackError.body.errorMessage).to.equal('callback failure');
      // A handler that neither returns a promise nor calls back answers null when its event loop empties.
      expect((await invoke(await createFunction('index.noAnswer'))).body).to.equal(null);
    });

    it('waits for the event loop after a callback unless callbackWaitsForEmptyEventLoop is false', async () => {
      const name = await createFunction('index.callbackWithPendingTimer');
      const waiting = await invoke(name, { wait: true }, { LogType: 'Tail' });
      expect(waiting.body).to.equal('answered');
      const waitingLog = Buffer.from(waiting.output.LogResult!, 'base64').toString('utf8');
      expect(waitingLog.indexOf('timer fired')).to.be.greaterThan(-1);
      expect(waitingLog.indexOf('timer fired')).to.be.lessThan(waitingLog.indexOf('END RequestId'));
      const started = Date.now();
      const eager = await invoke(name, { wait: false }, { LogType: 'Tail' });
      expect(eager.body).to.equal('answered');
      expect(Date.now() - started).to.be.lessThan(300);
      expect(Buffer.from(eager.output.LogResult!, 'base64').toString('utf8')).not.to.contain('timer fired');
    });

    it('reports errors in the shape AWS uses', async () => {
      const { output, body } = await invoke(await createFunction('index.throws'));
      expect(output.StatusCode).to.equal(200);
      expect(output.FunctionError).to.equal('Unhandled');
      expect(body.errorType).to.equal('ValidationError');
      expect(body.errorMessage).to.equal('sensor id is missing');
      expect(body.trace).to.be.an('array');
      expect(body.trace[0]).to.equal('ValidationError: sensor id is missing');
      const stringError = await invoke(await createFunction('index.throwsString'));
      expect(stringError.body).to.deep.equal({ errorType: 'string', errorMessage: 'just a string', trace: [] });
      const tooBig = await invoke(await createFunction('index.bigResponse'));
      expect(tooBig.output.FunctionError).to.equal('Unhandled');
      expect(tooBig.body.errorType).to.equal('Function.ResponseSizeTooLarge');
    });

    it('reports init errors as AWS names them', async () => {
      const zip = await zipFixture('init-errors');
      const cases: Array<[string, string, RegExp]> = [
        ['syntax.handler', 'Runtime.UserCodeSyntaxError', /^SyntaxError: /],
        ['throws.handler', 'Error', /configuration missing at load time/],
        ['missing-dependency.handler', 'Runtime.ImportModuleError', /Cannot find module 'a-package-that-is-not-there'/],
        ['nowhere.handler', 'Runtime.ImportModuleError', /Cannot find module 'nowhere'/],
        ['throws-not.handler', 'Runtime.ImportModuleError', /Cannot find module/],
        ['not-a-function.handler', 'Runtime.HandlerNotFound', /not-a-function\.handler is not a function/],
        ['syntax.missing', 'Runtime.UserCodeSyntaxError', /SyntaxError/],
        ['noDot', 'Runtime.MalformedHandlerName', /Bad handler/],
      ];
      const missingExport = await invoke(await createFunction('index.notExported'));
      expect(missingExport.body.errorType).to.equal('Runtime.HandlerNotFound');
      expect(missingExport.body.errorMessage).to.equal('index.notExported is undefined or not exported');
      for (const [handler, errorType, message] of cases) {
        const { output, body } = await invoke(await createFunction(handler, {}, zip));
        expect(output.FunctionError, handler).to.equal('Unhandled');
        expect(body.errorType, handler).to.equal(errorType);
        expect(body.errorMessage, handler).to.match(message);
      }
    });

    it('times out with AWS text, and the next invocation gets a fresh environment', async () => {
      const name = await createFunction('index.sleep', { Timeout: 1 });
      const warm = await invoke(name, { ms: 1 });
      const started = Date.now();
      const { output, body } = await invoke(name, { ms: 5000 }, { LogType: 'Tail' });
      expect(Date.now() - started).to.be.within(900, 3000);
      expect(output.FunctionError).to.equal('Unhandled');
      expect(body.errorType).to.equal('Sandbox.Timedout');
      expect(body.errorMessage).to.match(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
      const log = Buffer.from(output.LogResult!, 'base64').toString('utf8');
      expect(log).to.match(/Task timed out after 1\.00 seconds/);
      expect(log).to.match(/REPORT RequestId: .*Status: timeout/);
      const next = await invoke(name, { ms: 1 });
      expect(next.body.slept).to.equal(1);
      expect(next.body.pid).not.to.equal(warm.body.pid);
    });

    it('reports a crashed runtime as Runtime.ExitError and recovers', async () => {
      const zip = await zipFiles({
        'index.js': `exports.handler = async (e) => { if (e.crash) process.exit(1); return process.pid; };`,
      });
      const name = await createFunction('index.handler', {}, zip);
      const before = (await invoke(name)).body;
      const { output, body } = await invoke(name, { crash: true });
      expect(output.FunctionError).to.equal('Unhandled');
      expect(body.errorType).to.equal('Runtime.ExitError');
      expect(body.errorMessage).to.match(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 1$/);
      const after = (await invoke(name)).body;
      expect(after).to.be.a('number');
      expect(after).not.to.equal(before);

      const uncaught = await invoke(await createFunction('index.uncaught'));
      expect(uncaught.output.FunctionError).to.equal('Unhandled');
      expect(uncaught.body.errorType).to.equal('Error');
      expect(uncaught.body.errorMessage).to.equal('thrown from a timer');
    });

    it('gives functions AWS-style environment variables and nothing of the parent', async () => {
      const previous = process.env.NODE_OPTIONS;
      process.env.LOCALCLOUD_TEST_PARENT_ONLY = 'leak';
      process.env.NODE_OPTIONS = `${previous ?? ''} --max-http-header-size=16385`.trim();
      try {
        const name = await createFunction('index.echo', { Environment: { Variables: { GREETING: 'hi' } }, MemorySize: 256 });
        const { env, cwd } = (await invoke(name)).body;
        expect(env.AWS_REGION).to.equal('us-east-1');
        expect(env.AWS_DEFAULT_REGION).to.equal('us-east-1');
        expect(env.AWS_LAMBDA_FUNCTION_NAME).to.equal(name);
        expect(env.AWS_LAMBDA_FUNCTION_VERSION).to.equal('$LATEST');
        expect(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE).to.equal('256');
        expect(env.AWS_LAMBDA_LOG_GROUP_NAME).to.equal(`/aws/lambda/${name}`);
        expect(env.AWS_LAMBDA_LOG_STREAM_NAME).to.match(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
        expect(env._HANDLER).to.equal('index.echo');
        expect(env.LAMBDA_TASK_ROOT).to.equal(cwd);
        expect(env.AWS_EXECUTION_ENV).to.equal('AWS_Lambda_nodejs22.x');
        expect(env.TZ).to.equal(':UTC');
        expect(env.AWS_ENDPOINT_URL).to.equal(cloud.url);
        expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).to.equal('true');
        expect(env.AWS_ACCESS_KEY_ID).to.be.a('string').and.not.empty;
        expect(env.AWS_SECRET_ACCESS_KEY).to.be.a('string').and.not.empty;
        expect(env.AWS_LAMBDA_RUNTIME_API).to.match(/^127\.0\.0\.1:\d+$/);
        expect(env.GREETING).to.equal('hi');
        expect(env.NODE_OPTIONS).to.equal(undefined);
        expect(env.LOCALCLOUD_TEST_PARENT_ONLY).to.equal(undefined);
      } finally {
        delete process.env.LOCALCLOUD_TEST_PARENT_ONLY;
        if (previous === undefined) delete process.env.NODE_OPTIONS;
        else process.env.NODE_OPTIONS = previous;
      }
    });

    it("runs with a session of the execution role when IAM knows the role", async () => {
      const iam = new IAMClient(cloud.clientConfig());
      try {
        const role = await iam.send(
          new CreateRoleCommand({
            RoleName: 'function-execution-role',
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            }),
          }),
        );
        const name = await createFunction('index.whoami', { Role: role.Role!.Arn, Timeout: 20 });
        const { output, body } = await invoke(name);
        expect(output.FunctionError, JSON.stringify(body)).to.equal(undefined);
        expect(body.arn).to.equal(`arn:aws:sts::000000000000:assumed-role/function-execution-role/${name}`);
        expect(body.account).to.equal('000000000000');
        expect(body.hasSessionToken).to.equal(true);
      } finally {
        iam.destroy();
      }
    });

    it('resolves the AWS SDK v3 and cfn-response from function code (import and require)', async () => {
      const s3 = new S3Client(cloud.clientConfig());
      await s3.send(new CreateBucketCommand({ Bucket: 'seen-from-a-function' }));
      s3.destroy();
      const zip = await zipFixture('sdk-access');
      const esm = await invoke(await createFunction('index.handler', { Timeout: 20 }, zip));
      expect(esm.output.FunctionError, JSON.stringify(esm.body)).to.equal(undefined);
      expect(esm.body.buckets).to.include('seen-from-a-function');
      expect(esm.body.cfnResponse).to.equal('function');
      expect(esm.body.success).to.equal('SUCCESS');
      const cjs = await invoke(await createFunction('required.handler', { Timeout: 20 }, zip));
      expect(cjs.output.FunctionError, JSON.stringify(cjs.body)).to.equal(undefined);
      expect(cjs.body.buckets).to.include('seen-from-a-function');
    });

    it('cfn-response PUTs the custom resource answer to an http:// ResponseURL', async () => {
      const received: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ method: req.method, headers: req.headers, body });
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        const name = await createFunction('required.customResource', {}, await zipFixture('sdk-access'));
        const event = {
          RequestType: 'Create',
          ResponseURL: `http://127.0.0.1:${port}/cfn-response?X-Amz-Signature=abc`,
          StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/s/1',
          RequestId: 'req-1',
          LogicalResourceId: 'Thing',
        };
        const { output, body } = await invoke(name, event);
        expect(output.FunctionError).to.equal(undefined);
        expect(body).to.equal(null);
        expect(received).to.have.length(1);
        expect(received[0].method).to.equal('PUT');
        expect(received[0].headers['content-type']).to.equal('');
        const answer = JSON.parse(received[0].body);
        expect(answer).to.include({ Status: 'SUCCESS', PhysicalResourceId: 'physical-id-1', StackId: event.StackId, RequestId: 'req-1', LogicalResourceId: 'Thing', NoEcho: false });
        expect(answer.Data).to.deep.equal({ Answer: 42 });
        expect(answer.Reason).to.match(/^See the details in CloudWatch Log Stream: \d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      } finally {
        server.close();
      }
    });
  });

  describe('invocation types and logs', () => {
    it('LogType Tail returns the last 4 KB of the log with START, END and REPORT', async () => {
      const name = await createFunction('index.logs');
      const { output } = await invoke(name, {}, { LogType: 'Tail' });
      const log = Buffer.from(output.LogResult!, 'base64').toString('utf8');
      const requestId = /START RequestId: ([0-9a-f-]{36}) Version: \$LATEST/.exec(log)?.[1];
      expect(requestId).to.be.a('string');
      expect(log).to.match(new RegExp(`\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${requestId}\\tINFO\\tinfo line { n: 1 }`));
      expect(log).to.contain(`\t${requestId}\tERROR\terror line`);
      expect(log).to.contain(`\t${requestId}\tWARN\twarn line`);
      expect(log).to.contain('INFO\tfirst\nsecond');
      expect(log).to.contain('raw stdout');
      expect(log).to.contain('raw stderr');
      expect(log).to.contain(`END RequestId: ${requestId}`);
      expect(log).to.match(
        new RegExp(`REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms`),
      );
      const big = await invoke(await createFunction('index.echo'), { pad: 'y'.repeat(10_000) }, { LogType: 'Tail' });
      expect(Buffer.from(big.output.LogResult!, 'base64').length).to.be.at.most(4096);
    });

    it('runs overlapping invocations in separate environments and reuses warm ones', async () => {
      const name = await createFunction('index.sleep');
      const results = await Promise.all([1, 2, 3, 4].map(() => invoke(name, { ms: 400 })));
      const pids = new Set(results.map((r) => r.body.pid));
      expect(pids.size).to.be.greaterThan(1);
      const sequential = [];
      for (let i = 0; i < 3; i++) sequential.push((await invoke(name, { ms: 1 })).body.pid);
      expect(new Set(sequential).size).to.equal(1);
      expect(pids).to.include(sequential[0]);
    });

    it('queues invocations beyond the concurrency limit instead of failing them', async () => {
      const name = await createFunction('index.sleep');
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 2 }));
      const started = Date.now();
      const results = await Promise.all([1, 2, 3, 4].map(() => invoke(name, { ms: 300 })));
      expect(results.every((r) => r.output.FunctionError === undefined)).to.equal(true);
      expect(new Set(results.map((r) => r.body.pid)).size).to.equal(2);
      expect(Date.now() - started).to.be.at.least(600);
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
      const throttled = await expectAwsError(invoke(name, { ms: 1 }), 'TooManyRequestsException', 429);
      expect(throttled.message).to.equal('Rate Exceeded.');
    });

    it('Event invocations answer 202 and run in the background; DryRun answers 204', async () => {
      const { dir, cleanup } = tempDir('lambda-event-');
      try {
        const name = await createFunction('index.appendLine');
        const file = path.join(dir, 'lines.jsonl');
        const event = await lambda.send(
          new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ file, line: 'async' })) }),
        );
        expect(event.StatusCode).to.equal(202);
        await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('"async"'), 'the Event invocation to run');
        const dryRun = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun' }));
        expect(dryRun.StatusCode).to.equal(204);
        expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(1);
        await expectAwsError(
          lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: Buffer.alloc(300 * 1024, 32) })),
          'RequestTooLargeException',
          413,
        );
      } finally {
        cleanup();
      }
    });

    it('writes the function log to CloudWatch Logs /aws/lambda/<name>', async function () {
      const logs = new CloudWatchLogsClient(cloud.clientConfig());
      try {
        const name = await createFunction('index.logs');
        const { output } = await invoke(name, {}, { LogType: 'Tail' });
        const requestId = /START RequestId: ([0-9a-f-]{36})/.exec(Buffer.from(output.LogResult!, 'base64').toString())![1];
        let messages: string[] = [];
        try {
          await waitFor(async () => {
            const events = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` })).catch((err) => {
              if ((err as Error).name === 'NotImplemented') throw err;
              return { events: [] };
            });
            messages = (events.events ?? []).map((e) => e.message!);
            return messages.some((m) => m.startsWith(`REPORT RequestId: ${requestId}`));
          }, 'the REPORT line in CloudWatch Logs');
        } catch (err) {
          if ((err as Error).name === 'NotImplemented') this.skip();
          throw err;
        }
        expect(messages[0]).to.equal(`START RequestId: ${requestId} Version: $LATEST`);
        expect(messages).to.include(`END RequestId: ${requestId}`);
        expect(messages.some((m) => m.endsWith(`\t${requestId}\tINFO\tfirst\nsecond`))).to.equal(true);
      } finally {
        logs.destroy();
      }
    });
  });

  describe('resource policy', () => {
    it('AddPermission, GetPolicy and RemovePermission manage the statements', async () => {
      const name = await createFunction('index.echo');
      const added = await lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 's3-invoke',
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceArn: 'arn:aws:s3:::some-bucket',
          SourceAccount: '000000000000',
        }),
      );
      expect(added.$metadata.httpStatusCode).to.equal(201);
      expect(JSON.parse(added.Statement!)).to.deep.equal({
        Sid: 's3-invoke',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        Condition: { StringEquals: { 'AWS:SourceAccount': '000000000000' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::some-bucket' } },
      });
      await lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'account', Action: 'lambda:*', Principal: '111122223333' }));
      await expectAwsError(
        lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 's3-invoke', Action: 'lambda:InvokeFunction', Principal: '*' })),
        'ResourceConflictException',
        409,
      );
      const policy = await lambda.send(new GetPolicyCommand({ FunctionName: name }));
      const document = JSON.parse(policy.Policy!);
      expect(document.Version).to.equal('2012-10-17');
      expect(document.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(['s3-invoke', 'account']);
      expect(document.Statement[1].Principal).to.deep.equal({ AWS: 'arn:aws:iam::111122223333:root' });
      await lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 's3-invoke' }));
      await lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 'account' }));
      await expectAwsError(lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 'account' })), 'ResourceNotFoundException', 404);
      await expectAwsError(lambda.send(new GetPolicyCommand({ FunctionName: name })), 'ResourceNotFoundException', 404);
    });
  });

  describe('execution roles', () => {
    const CANNOT_ASSUME = /^The role defined for the function cannot be assumed by Lambda\.$/;

    it('refuses a role that does not exist or does not trust Lambda, on create and on update', async () => {
      await expectAwsError(
        createFunction('index.echo', { Role: 'arn:aws:iam::000000000000:role/no-such-role' }),
        'InvalidParameterValueException',
        400,
        CANNOT_ASSUME,
      );
      const iam = new IAMClient(cloud.clientConfig());
      try {
        const ec2Only = await iam.send(
          new CreateRoleCommand({
            RoleName: 'trusts-ec2-only',
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            }),
          }),
        );
        await expectAwsError(createFunction('index.echo', { Role: ec2Only.Role!.Arn }), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
        const name = await createFunction('index.echo');
        for (const Role of [ec2Only.Role!.Arn!, 'arn:aws:iam::000000000000:role/no-such-role']) {
          await expectAwsError(
            lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Role })),
            'InvalidParameterValueException',
            400,
            CANNOT_ASSUME,
          );
        }
        const unchanged = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        expect(unchanged.Role).to.equal(ROLE);
        // Once the trust policy lets Lambda in, the same role is accepted.
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'trusts-ec2-only', PolicyDocument: LAMBDA_TRUST_POLICY }));
        const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Role: ec2Only.Role!.Arn }));
        expect(updated.Role).to.equal(ec2Only.Role!.Arn);
      } finally {
        iam.destroy();
      }
    });

    it('fails invocations with an AWS error, without hanging, once the role is deleted', async () => {
      const iam = new IAMClient(cloud.clientConfig());
      try {
        const role = await iam.send(new CreateRoleCommand({ RoleName: 'deleted-later', AssumeRolePolicyDocument: LAMBDA_TRUST_POLICY }));
        const warm = await createFunction('index.echo', { Role: role.Role!.Arn });
        const cold = await createFunction('index.echo', { Role: role.Role!.Arn });
        expect((await invoke(warm, { before: true })).body.event).to.deep.equal({ before: true });
        await iam.send(new DeleteRoleCommand({ RoleName: 'deleted-later' }));
        // A function never run since...
        await expectAwsError(invoke(cold), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
        // ...and a new environment of one that ran: the session Lambda got for it before must not outlive the role.
        await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: warm, Description: 'retires the warm environment' }));
        await expectAwsError(invoke(warm), 'InvalidParameterValueException', 400, CANNOT_ASSUME);
      } finally {
        iam.destroy();
      }
    });

    it("denies what the role does not allow: AccessDeniedException naming the action, the table and the role session", async () => {
      const dynamodb = new DynamoDBClient(cloud.clientConfig());
      try {
        const table = uniqueName('role-denied-table');
        await dynamodb.send(
          new CreateTableCommand({
            TableName: table,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          }),
        );
        const role = await createExecutionRole(
          cloud.clientConfig(),
          'logs-only',
          JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] }),
        );
        // Unmodified SDK code: credentials (the role's session) and endpoint come from the environment.
        const zip = await zipFiles({
          'index.js': `const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({ maxAttempts: 1 });
exports.handler = async (event) => {
  await client.send(new PutItemCommand({ TableName: event.table, Item: { id: { S: 'denied' } } }));
  return 'written';
};`,
        });
        const name = await createFunction('index.handler', { Role: role, Timeout: 20 }, zip);
        const { output, body } = await invoke(name, { table });
        expect(output.FunctionError).to.equal('Unhandled');
        expect(body.errorType, JSON.stringify(body)).to.equal('AccessDeniedException');
        expect(body.errorMessage).to.equal(
          `User: arn:aws:sts::000000000000:assumed-role/logs-only/${name} is not authorized to perform: dynamodb:PutItem ` +
            `on resource: arn:aws:dynamodb:us-east-1:000000000000:table/${table} because no identity-based policy allows the dynamodb:PutItem action`,
        );
      } finally {
        dynamodb.destroy();
      }
    });
  });

  describe('with IAM off', () => {
    it('accepts a role that does not exist, as localcloud did before it enforced IAM', async () => {
      const off = await startTestCloud({ iam: 'off' });
      const client = new LambdaClient(off.clientConfig());
      try {
        const created = await client.send(
          new CreateFunctionCommand({
            FunctionName: 'unknown-role',
            Runtime: 'nodejs22.x',
            Role: 'arn:aws:iam::000000000000:role/no-such-role',
            Handler: 'index.echo',
            Code: { ZipFile: behaviours },
          }),
        );
        expect(created.Role).to.equal('arn:aws:iam::000000000000:role/no-such-role');
      } finally {
        client.destroy();
        await off.stop();
      }
    });
  });
});
