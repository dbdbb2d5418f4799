/**
 * Lambda layers through the SDK v3 client and the AWS CLI: publishing and
 * reading layer versions, their policies, functions with `Layers` requiring a
 * module from a layer (resolved as on AWS: /opt/nodejs/node<major>/node_modules,
 * then /opt/nodejs/node_modules, later layers over earlier ones), the errors
 * AWS answers for bad `Layers`, sharing across accounts, CloudFormation's
 * LayerVersion, and layers surviving a restart.
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AddLayerVersionPermissionCommand,
  CreateFunctionCommand,
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { settledStack } from './cloudformation-support.js';

const ACCOUNT = '000000000000';
const OTHER_ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/layer-test-role`;
const layerArn = (name: string, account = ACCOUNT) => `arn:aws:lambda:us-east-1:${account}:layer:${name}`;

/** A function that requires modules by name and reports what they say, and what it sees of /opt. */
const USES_LAYERS = `
  const fs = require('fs');
  exports.handler = async (event) => {
    const said = {};
    for (const name of event.modules) {
      try { said[name] = require(name)(); } catch (err) { said[name] = 'missing: ' + err.code; }
    }
    const opt = process.env.LOCALCLOUD_OPT;
    return { said, config: opt && fs.existsSync(opt + '/config.json') ? JSON.parse(fs.readFileSync(opt + '/config.json', 'utf8')) : null,
             nodePath: process.env.NODE_PATH, path: process.env.PATH };
  };`;

const moduleSaying = (text: string) => `module.exports = () => ${JSON.stringify(text)};`;

describe('Lambda layers', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let counter = 0;
  const cleanups: Array<() => void> = [];
  let handlerZip: Buffer;

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    expect(await createExecutionRole(cloud.clientConfig(), 'layer-test-role')).to.equal(ROLE);
    handlerZip = await zipFiles({ 'index.js': USES_LAYERS });
  });
  after(async () => {
    lambda?.destroy();
    await cloud?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  async function publish(name: string, files: Record<string, string>, extra: Partial<ConstructorParameters<typeof PublishLayerVersionCommand>[0]> = {}) {
    return lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: await zipFiles(files) }, ...extra }));
  }

  async function createFunction(layers: string[], overrides: Partial<CreateFunctionCommandInput> = {}, client = lambda, role = ROLE): Promise<string> {
    const name = `with-layers-${++counter}`;
    await client.send(
      new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: handlerZip }, Layers: layers, ...overrides }),
    );
    return name;
  }

  async function invoke(name: string, modules: string[], client = lambda) {
    const output = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ modules })) }));
    const body = JSON.parse(Buffer.from(output.Payload!).toString('utf8'));
    expect(output.FunctionError, JSON.stringify(body)).to.equal(undefined);
    return body;
  }

  it('publishes a layer version with the shape AWS answers; its content can be downloaded', async () => {
    const zip = await zipFiles({ 'nodejs/node_modules/greeter/index.js': moduleSaying('hello') });
    const published = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'shape-layer',
        Description: 'greets',
        Content: { ZipFile: zip },
        CompatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
        CompatibleArchitectures: ['x86_64'],
        LicenseInfo: 'MIT',
      }),
    );
    expect(published.$metadata.httpStatusCode).to.equal(201);
    expect(published).to.deep.include({
      LayerArn: layerArn('shape-layer'),
      LayerVersionArn: `${layerArn('shape-layer')}:1`,
      Version: 1,
      Description: 'greets',
      CompatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
      CompatibleArchitectures: ['x86_64'],
      LicenseInfo: 'MIT',
    });
    expect(published.CreatedDate).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(published.Content!.CodeSha256).to.equal(createHash('sha256').update(zip).digest('base64'));
    expect(published.Content!.CodeSize).to.equal(zip.length);
    const download = await fetch(published.Content!.Location!);
    expect(Buffer.from(await download.arrayBuffer()).equals(zip)).to.equal(true);

    const second = await publish('shape-layer', { 'nodejs/node_modules/greeter/index.js': moduleSaying('hi') }, { CompatibleRuntimes: ['python3.12'] });
    expect(second.Version).to.equal(2);

    const byName = await lambda.send(new GetLayerVersionCommand({ LayerName: 'shape-layer', VersionNumber: 1 }));
    expect(byName).to.deep.include({ LayerVersionArn: `${layerArn('shape-layer')}:1`, Description: 'greets', LicenseInfo: 'MIT' });
    const byArnName = await lambda.send(new GetLayerVersionCommand({ LayerName: layerArn('shape-layer'), VersionNumber: 2 }));
    expect(byArnName.Version).to.equal(2);
    const byArn = await lambda.send(new GetLayerVersionByArnCommand({ Arn: `${layerArn('shape-layer')}:1` }));
    expect(byArn.Content!.CodeSha256).to.equal(published.Content!.CodeSha256);

    const versions = await lambda.send(new ListLayerVersionsCommand({ LayerName: 'shape-layer' }));
    expect(versions.LayerVersions!.map((v) => v.Version)).to.deep.equal([2, 1]);
    const forNode = await lambda.send(new ListLayerVersionsCommand({ LayerName: 'shape-layer', CompatibleRuntime: 'nodejs22.x' }));
    expect(forNode.LayerVersions!.map((v) => v.Version)).to.deep.equal([1]);
    const layers = await lambda.send(new ListLayersCommand({}));
    const listed = layers.Layers!.find((l) => l.LayerName === 'shape-layer')!;
    expect(listed).to.deep.include({ LayerArn: layerArn('shape-layer') });
    expect(listed.LatestMatchingVersion!.Version).to.equal(2);
    const nodeLayers = await lambda.send(new ListLayersCommand({ CompatibleRuntime: 'nodejs22.x' }));
    expect(nodeLayers.Layers!.find((l) => l.LayerName === 'shape-layer')!.LatestMatchingVersion!.Version).to.equal(1);
  });

  it('refuses bad layer requests with the errors AWS answers', async () => {
    await expectAwsError(lambda.send(new GetLayerVersionCommand({ LayerName: 'never-published', VersionNumber: 1 })), 'ResourceNotFoundException', 404);
    await expectAwsError(lambda.send(new GetLayerVersionByArnCommand({ Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' })), 'ValidationException', 400);
    await expectAwsError(lambda.send(new PublishLayerVersionCommand({ LayerName: 'bad name!', Content: { ZipFile: Buffer.from('x') } })), 'ValidationException', 400);
    await expectAwsError(
      lambda.send(new PublishLayerVersionCommand({ LayerName: 'bad-runtime', Content: { ZipFile: await zipFiles({ a: 'b' }) }, CompatibleRuntimes: ['cobol' as 'nodejs22.x'] })),
      'ValidationException',
      400,
    );
    await expectAwsError(lambda.send(new PublishLayerVersionCommand({ LayerName: 'not-a-zip', Content: { ZipFile: Buffer.from('plain text') } })), 'InvalidParameterValueException', 400);
  });

  it('lets a function require a module from its layer, later layers over earlier ones, node<major> first', async () => {
    const base = await publish(`base-${counter}`, {
      'nodejs/node_modules/greeter/index.js': moduleSaying('hello from base'),
      'nodejs/node_modules/onlybase/index.js': moduleSaying('only in base'),
      'config.json': JSON.stringify({ from: 'base' }),
    });
    const override = await publish(`override-${counter}`, {
      'nodejs/node_modules/greeter/index.js': moduleSaying('hello from override'),
      'nodejs/node_modules/versioned/index.js': moduleSaying('any node'),
      'nodejs/node22/node_modules/versioned/index.js': moduleSaying('node 22 only'),
      'config.json': JSON.stringify({ from: 'override' }),
    });

    const one = await createFunction([base.LayerVersionArn!]);
    expect((await invoke(one, ['greeter'])).said).to.deep.equal({ greeter: 'hello from base' });
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: one }));
    expect(config.Layers).to.deep.equal([{ Arn: base.LayerVersionArn, CodeSize: base.Content!.CodeSize }]);

    const both = await createFunction([base.LayerVersionArn!, override.LayerVersionArn!]);
    const seen = await invoke(both, ['greeter', 'onlybase', 'versioned', 'nowhere']);
    expect(seen.said).to.deep.equal({
      greeter: 'hello from override',
      onlybase: 'only in base',
      versioned: 'node 22 only',
      nowhere: 'missing: MODULE_NOT_FOUND',
    });
    expect(seen.config).to.deep.equal({ from: 'override' });
    expect(seen.path.split(path.delimiter).at(-1)).to.match(/\/opt\/[0-9a-f]{64}\/bin$/);

    // Removing the layers takes effect at once: the next invocation gets an environment without them.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: both, Layers: [] }));
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: both }))).Layers).to.equal(undefined);
    expect((await invoke(both, ['greeter'])).said).to.deep.equal({ greeter: 'missing: MODULE_NOT_FOUND' });
    expect((await invoke(both, [])).config).to.equal(null);
  });

  it('refuses Layers that AWS refuses', async () => {
    const layer = await publish(`checked-${counter}`, { 'nodejs/node_modules/x/index.js': moduleSaying('x') });
    const again = await publish(`checked-${counter}`, { 'nodejs/node_modules/x/index.js': moduleSaying('x2') });
    const missing = `${layerArn(`checked-${counter}`)}:9`;
    await expectAwsError(createFunction([missing]), 'InvalidParameterValueException', 400, new RegExp(`^Layer version ${missing} does not exist\\.$`));
    await expectAwsError(createFunction([layer.LayerVersionArn!, again.LayerVersionArn!]), 'InvalidParameterValueException', 400, /Two different versions of the same layer/);
    const six = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => publish(`many-${counter}-${n}`, { 'f.txt': String(n) })));
    await expectAwsError(createFunction(six.map((l) => l.LayerVersionArn!)), 'InvalidParameterValueException', 400, /^Cannot reference more than 5 layers\.$/);
    await expectAwsError(createFunction(['not-an-arn']), 'ValidationException', 400, /layers/);
    const name = await createFunction([layer.LayerVersionArn!]);
    await expectAwsError(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Layers: [missing] })), 'InvalidParameterValueException', 400, /does not exist/);
  });

  it('keeps a deleted layer version working for the functions that use it; deleting is idempotent', async () => {
    const layerName = `doomed-${++counter}`;
    const layer = await publish(layerName, { 'nodejs/node_modules/greeter/index.js': moduleSaying('still here') });
    const name = await createFunction([layer.LayerVersionArn!]);
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: layerName, VersionNumber: 1 }));
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: layerName, VersionNumber: 1 }));
    await expectAwsError(lambda.send(new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: 1 })), 'ResourceNotFoundException', 404);
    // A configuration change starts a new environment, which still mounts the deleted version's content.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'new environment please' }));
    expect((await invoke(name, ['greeter'])).said).to.deep.equal({ greeter: 'still here' });
    await expectAwsError(createFunction([layer.LayerVersionArn!]), 'InvalidParameterValueException', 400, /does not exist/);
    const next = await publish(layerName, { 'a.txt': 'a' });
    expect(next.Version).to.equal(2);
  });

  it('manages a layer version policy, and lets another account use the layer only once it is shared', async () => {
    const layerName = `shared-${++counter}`;
    const layer = await publish(layerName, { 'nodejs/node_modules/greeter/index.js': moduleSaying('shared hello') });
    await expectAwsError(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: 1 })), 'ResourceNotFoundException', 404);

    const otherConfig = { ...cloud.clientConfig(), credentials: { accessKeyId: OTHER_ACCOUNT, secretAccessKey: 'x' } };
    const otherRole = await createExecutionRole(otherConfig, 'layer-user-role');
    const other = new LambdaClient(otherConfig);
    try {
      await expectAwsError(createFunction([layer.LayerVersionArn!], {}, other, otherRole), 'AccessDeniedException', 403, /lambda:GetLayerVersion/);

      const added = await lambda.send(
        new AddLayerVersionPermissionCommand({ LayerName: layerName, VersionNumber: 1, StatementId: 'other-account', Action: 'lambda:GetLayerVersion', Principal: OTHER_ACCOUNT }),
      );
      expect(JSON.parse(added.Statement!)).to.deep.equal({
        Sid: 'other-account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
        Action: 'lambda:GetLayerVersion',
        Resource: layer.LayerVersionArn,
      });
      await expectAwsError(
        lambda.send(new AddLayerVersionPermissionCommand({ LayerName: layerName, VersionNumber: 1, StatementId: 'other-account', Action: 'lambda:GetLayerVersion', Principal: '*' })),
        'ResourceConflictException',
        409,
      );
      await expectAwsError(
        lambda.send(new AddLayerVersionPermissionCommand({ LayerName: layerName, VersionNumber: 1, StatementId: 'bad', Action: 'lambda:InvokeFunction', Principal: '*' })),
        'ValidationException',
        400,
      );
      const policy = await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: 1 }));
      expect(JSON.parse(policy.Policy!).Statement).to.have.length(1);
      expect(policy.RevisionId).to.equal(added.RevisionId);

      const name = await createFunction([layer.LayerVersionArn!], {}, other, otherRole);
      expect((await invoke(name, ['greeter'], other)).said).to.deep.equal({ greeter: 'shared hello' });
      expect((await other.send(new GetLayerVersionByArnCommand({ Arn: layer.LayerVersionArn! }))).Version).to.equal(1);

      await lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: layerName, VersionNumber: 1, StatementId: 'other-account' }));
      await expectAwsError(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: 1 })), 'ResourceNotFoundException', 404);
      await expectAwsError(other.send(new GetLayerVersionByArnCommand({ Arn: layer.LayerVersionArn! })), 'AccessDeniedException', 403);
    } finally {
      other.destroy();
    }
  });

  it('deploys AWS::Lambda::LayerVersion (from S3) and a function using it with CloudFormation', async () => {
    const s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    const cfn = new CloudFormationClient(cloud.clientConfig());
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'layer-artifacts' }));
      await s3.send(new PutObjectCommand({ Bucket: 'layer-artifacts', Key: 'greeter.zip', Body: await zipFiles({ 'nodejs/node_modules/greeter/index.js': moduleSaying('hello from the stack') }) }));
      const stackName = `layer-stack-${++counter}`;
      await cfn.send(
        new CreateStackCommand({
          StackName: stackName,
          TemplateBody: JSON.stringify({
            Resources: {
              Greeter: {
                Type: 'AWS::Lambda::LayerVersion',
                Properties: { LayerName: `stack-greeter-${counter}`, Content: { S3Bucket: 'layer-artifacts', S3Key: 'greeter.zip' }, CompatibleRuntimes: ['nodejs22.x'] },
              },
              Share: { Type: 'AWS::Lambda::LayerVersionPermission', Properties: { LayerVersionArn: { Ref: 'Greeter' }, Action: 'lambda:GetLayerVersion', Principal: '*' } },
              Fn: {
                Type: 'AWS::Lambda::Function',
                Properties: {
                  Runtime: 'nodejs22.x',
                  Handler: 'index.handler',
                  Role: ROLE,
                  Layers: [{ Ref: 'Greeter' }],
                  Code: { ZipFile: "exports.handler = async () => require('greeter')();" },
                },
              },
            },
            Outputs: { LayerArn: { Value: { Ref: 'Greeter' } }, Function: { Value: { Ref: 'Fn' } } },
          }),
        }),
      );
      const stack = await settledStack(cfn, stackName);
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
      const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
      expect(outputs.LayerArn).to.equal(`${layerArn(`stack-greeter-${counter}`)}:1`);
      const output = await lambda.send(new InvokeCommand({ FunctionName: outputs.Function }));
      expect(JSON.parse(Buffer.from(output.Payload!).toString())).to.equal('hello from the stack');
      const policy = await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: `stack-greeter-${counter}`, VersionNumber: 1 }));
      expect(JSON.parse(policy.Policy!).Statement[0].Principal).to.equal('*');

      const { StackId } = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!;
      await cfn.send(new DeleteStackCommand({ StackName: stackName }));
      expect((await settledStack(cfn, StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      await expectAwsError(lambda.send(new GetLayerVersionCommand({ LayerName: `stack-greeter-${counter}`, VersionNumber: 1 })), 'ResourceNotFoundException', 404);
    } finally {
      s3.destroy();
      cfn.destroy();
    }
  });

  it('keeps layers, and the functions using them working, across a restart', async () => {
    const { dir, cleanup } = tempDir('lambda-layer-state-');
    cleanups.push(cleanup);
    let stateful = await startTestCloud({ stateDir: dir });
    try {
      await createExecutionRole(stateful.clientConfig(), 'layer-test-role');
      let client = new LambdaClient(stateful.clientConfig());
      const layer = await client.send(
        new PublishLayerVersionCommand({ LayerName: 'kept', Content: { ZipFile: await zipFiles({ 'nodejs/node_modules/greeter/index.js': moduleSaying('kept hello') }) } }),
      );
      const name = await createFunction([layer.LayerVersionArn!], {}, client);
      expect((await invoke(name, ['greeter'], client)).said.greeter).to.equal('kept hello');
      client.destroy();
      await stateful.stop();
      stateful = await startTestCloud({ stateDir: dir });
      client = new LambdaClient(stateful.clientConfig());
      expect((await client.send(new GetLayerVersionCommand({ LayerName: 'kept', VersionNumber: 1 }))).Version).to.equal(1);
      expect((await invoke(name, ['greeter'], client)).said.greeter).to.equal('kept hello');
      client.destroy();
    } finally {
      await stateful.stop();
    }
  });

  it('is served to the AWS CLI (publish-layer-version, list-layer-versions)', async function () {
    const cli = ['/usr/bin/aws', ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'aws'))].find((p) => existsSync(p));
    if (!cli) this.skip();
    const { dir, cleanup } = tempDir('aws-cli-layers-');
    cleanups.push(cleanup);
    const zipPath = path.join(dir, 'layer.zip');
    writeFileSync(zipPath, await zipFiles({ 'nodejs/node_modules/greeter/index.js': moduleSaying('hello from the CLI') }));
    const aws = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(cli!, ['--endpoint-url', cloud.url, '--output', 'json', ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          AWS_CONFIG_FILE: path.join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
        },
      });
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    };
    const published = await aws('lambda', 'publish-layer-version', '--layer-name', 'cli-layer', '--zip-file', `fileb://${zipPath}`, '--compatible-runtimes', 'nodejs22.x');
    expect(published).to.deep.include({ LayerVersionArn: `${layerArn('cli-layer')}:1`, Version: 1, CompatibleRuntimes: ['nodejs22.x'] });
    const listed = await aws('lambda', 'list-layer-versions', '--layer-name', 'cli-layer');
    expect(listed.LayerVersions.map((v: { Version: number }) => v.Version)).to.deep.equal([1]);
    const name = await createFunction([published.LayerVersionArn]);
    expect((await invoke(name, ['greeter'])).said.greeter).to.equal('hello from the CLI');
  });
});
