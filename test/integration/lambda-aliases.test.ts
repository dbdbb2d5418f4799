/**
 * Lambda versions and aliases through the SDK v3 client (and the AWS CLI):
 * the alias API and its errors, invoking by alias (qualifier, `name:alias`,
 * alias ARN), weighted routing between two versions, one set of execution
 * environments per version, permissions per alias, event source mappings on
 * an alias, IAM on the qualified ARN, and aliases surviving a restart.
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient, CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { createStream, putNumbered } from '../fixtures/lambda/streams.js';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { settledStack } from './cloudformation-support.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/alias-test-role`;
const arnOf = (name: string, qualifier?: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

/** A package whose handler says which code it is, and what the environment and context say about the version. */
function codeSaying(codeName: string): Promise<Buffer> {
  return zipFiles({
    'index.js': `
      const fs = require('fs');
      exports.handler = async (event, context) => {
        if (event.Records && process.env.OUT_DIR) {
          for (const r of event.Records) {
            fs.appendFileSync(process.env.OUT_DIR + '/received.jsonl', JSON.stringify({ code: ${JSON.stringify(codeName)},
              version: process.env.AWS_LAMBDA_FUNCTION_VERSION, arn: context.invokedFunctionArn,
              i: JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()).i }) + '\\n');
          }
        }
        return { code: ${JSON.stringify(codeName)}, pid: process.pid, envVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
                 contextVersion: context.functionVersion, invokedArn: context.invokedFunctionArn };
      };`,
  });
}

describe('Lambda versions and aliases', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let counter = 0;
  const cleanups: Array<() => void> = [];

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    expect(await createExecutionRole(cloud.clientConfig(), 'alias-test-role')).to.equal(ROLE);
  });
  after(async () => {
    lambda?.destroy();
    await cloud?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  /** A function with two published versions: 1 runs code "one", 2 and $LATEST run code "two". */
  async function functionWithTwoVersions(environment: Record<string, string> = {}): Promise<string> {
    const name = `aliased-${++counter}`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: await codeSaying('one') },
        Environment: { Variables: environment },
        Publish: true,
      }),
    );
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await codeSaying('two'), Publish: true }));
    return name;
  }

  async function invoke(functionName: string, qualifier?: string): Promise<{ output: InvokeCommandOutput; body: any }> {
    const output = await lambda.send(new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, Payload: Buffer.from('{}') }));
    expect(output.FunctionError, Buffer.from(output.Payload ?? []).toString()).to.equal(undefined);
    return { output, body: JSON.parse(Buffer.from(output.Payload!).toString('utf8')) };
  }

  describe('the alias API', () => {
    it('creates, reads, lists, updates and deletes aliases with the shapes AWS answers', async () => {
      const name = await functionWithTwoVersions();
      const created = await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', Description: 'production' }));
      expect(created.$metadata.httpStatusCode).to.equal(201);
      expect(created).to.include({ AliasArn: arnOf(name, 'live'), Name: 'live', FunctionVersion: '1', Description: 'production' });
      expect(created.RevisionId).to.match(/^[0-9a-f-]{36}$/);
      expect(created.RoutingConfig).to.equal(undefined);

      const read = await lambda.send(new GetAliasCommand({ FunctionName: arnOf(name), Name: 'live' }));
      expect(read).to.deep.include({ AliasArn: arnOf(name, 'live'), FunctionVersion: '1', RevisionId: created.RevisionId });

      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'beta', FunctionVersion: '2' }));
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'edge', FunctionVersion: '$LATEST' }));
      const all = await lambda.send(new ListAliasesCommand({ FunctionName: name }));
      expect(all.Aliases!.map((a) => a.Name)).to.deep.equal(['live', 'beta', 'edge']);
      const onTwo = await lambda.send(new ListAliasesCommand({ FunctionName: name, FunctionVersion: '2' }));
      expect(onTwo.Aliases!.map((a) => a.Name)).to.deep.equal(['beta']);
      const firstPage = await lambda.send(new ListAliasesCommand({ FunctionName: name, MaxItems: 2 }));
      expect(firstPage.Aliases!.map((a) => a.Name)).to.deep.equal(['live', 'beta']);
      const secondPage = await lambda.send(new ListAliasesCommand({ FunctionName: name, MaxItems: 2, Marker: firstPage.NextMarker }));
      expect(secondPage.Aliases!.map((a) => a.Name)).to.deep.equal(['edge']);
      expect(secondPage.NextMarker).to.equal(undefined);

      await expectAwsError(
        lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2', RevisionId: 'stale' })),
        'PreconditionFailedException',
        412,
      );
      const updated = await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2', RevisionId: created.RevisionId }));
      expect(updated).to.include({ FunctionVersion: '2', Description: 'production' });
      expect(updated.RevisionId).to.not.equal(created.RevisionId);

      const deleted = await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: 'beta' }));
      expect(deleted.$metadata.httpStatusCode).to.equal(204);
      await expectAwsError(
        lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'beta' })),
        'ResourceNotFoundException',
        404,
        new RegExp(`^Cannot find alias arn: ${arnOf(name, 'beta')}$`),
      );
    });

    it('refuses what AWS refuses, with its errors', async () => {
      const name = await functionWithTwoVersions();
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
      await expectAwsError(
        lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2' })),
        'ResourceConflictException',
        409,
        new RegExp(`^Alias already exists: ${arnOf(name, 'live')}$`),
      );
      await expectAwsError(
        lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'future', FunctionVersion: '9' })),
        'ResourceNotFoundException',
        404,
        new RegExp(`^Function not found: ${arnOf(name, '9')}$`),
      );
      await expectAwsError(lambda.send(new CreateAliasCommand({ FunctionName: name, Name: '42', FunctionVersion: '1' })), 'ValidationException', 400, /name/);
      await expectAwsError(
        lambda.send(new CreateAliasCommand({ FunctionName: 'no-such-function', Name: 'live', FunctionVersion: '1' })),
        'ResourceNotFoundException',
        404,
        new RegExp(`Function not found: ${arnOf('no-such-function')}`),
      );
      await expectAwsError(lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'nope' })), 'ResourceNotFoundException', 404, new RegExp(`^Function not found: ${arnOf(name, 'nope')}$`));
      await expectAwsError(lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: 'nope' })), 'ResourceNotFoundException', 404);

      await expectAwsError(
        lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '1' })),
        'ResourceConflictException',
        409,
        /aliases reference it: \[live\]/,
      );
      await expectAwsError(lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: 'live' })), 'InvalidParameterValueException', 400);
    });

    it('validates routing configurations as AWS does', async () => {
      const name = await functionWithTwoVersions();
      const routed = (FunctionVersion: string, AdditionalVersionWeights: Record<string, number>, Name = 'routed') =>
        lambda.send(new CreateAliasCommand({ FunctionName: name, Name, FunctionVersion, RoutingConfig: { AdditionalVersionWeights } }));
      await expectAwsError(routed('$LATEST', { '2': 0.5 }), 'InvalidParameterValueException', 400, /\$LATEST is not supported for an alias pointing to more than 1 version/);
      await expectAwsError(routed('1', { '1': 0.5 }), 'InvalidParameterValueException', 400, /already included/);
      await expectAwsError(routed('1', { '2': 1.5 }), 'ValidationException', 400, /less than or equal to 1.0/);
      await expectAwsError(routed('1', { '2': 0.1, '3': 0.1 }), 'ValidationException', 400);
      await expectAwsError(routed('1', { '7': 0.1 }), 'ResourceNotFoundException', 404, new RegExp(`Function not found: ${arnOf(name, '7')}`));
      const ok = await routed('1', { '2': 0.25 });
      expect(ok.RoutingConfig).to.deep.equal({ AdditionalVersionWeights: { '2': 0.25 } });
      // Updating without RoutingConfig keeps it; an empty map removes it.
      const kept = await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'routed', Description: 'still routed' }));
      expect(kept.RoutingConfig).to.deep.equal({ AdditionalVersionWeights: { '2': 0.25 } });
      const cleared = await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'routed', RoutingConfig: { AdditionalVersionWeights: {} } }));
      expect(cleared.RoutingConfig).to.equal(undefined);
    });
  });

  describe('invoking', () => {
    it('by qualifier, `name:alias` and alias ARN runs the aliased version, and says so', async () => {
      const name = await functionWithTwoVersions();
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
      for (const [functionName, qualifier] of [[name, 'live'], [`${name}:live`, undefined], [arnOf(name, 'live'), undefined]] as const) {
        const { output, body } = await invoke(functionName, qualifier);
        expect(output.ExecutedVersion).to.equal('1');
        expect(body).to.include({ code: 'one', envVersion: '1', contextVersion: '1', invokedArn: arnOf(name, 'live') });
      }
      const latest = await invoke(name);
      expect(latest.output.ExecutedVersion).to.equal('$LATEST');
      expect(latest.body.code).to.equal('two');

      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: 'live' }));
      expect(config).to.include({ FunctionArn: arnOf(name, 'live'), Version: '1' });

      // Moving the alias moves invocations at once.
      await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2' }));
      const moved = await invoke(name, 'live');
      expect(moved.output.ExecutedVersion).to.equal('2');
      expect(moved.body.code).to.equal('two');
    });

    it('gives each version its own environments: a warm $LATEST never serves a published version', async () => {
      const name = `per-version-${++counter}`;
      await lambda.send(
        new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: await codeSaying('same') } }),
      );
      const warmLatest = await invoke(name);
      await lambda.send(new PublishVersionCommand({ FunctionName: name }));
      const version = await invoke(name, '1');
      expect(version.body.pid).to.not.equal(warmLatest.body.pid);
      expect(version.body.envVersion).to.equal('1');
      expect((await invoke(name)).body.pid).to.equal(warmLatest.body.pid);
      expect((await invoke(name, '1')).body.pid).to.equal(version.body.pid);
    });

    it('splits invocations between two versions by the routing weights', async () => {
      const name = await functionWithTwoVersions();
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'canary', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
      const executed = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const { output, body } = await invoke(name, 'canary');
        expect(body.code).to.equal(output.ExecutedVersion === '1' ? 'one' : 'two');
        executed.set(output.ExecutedVersion!, (executed.get(output.ExecutedVersion!) ?? 0) + 1);
      }
      // Both versions run (all 40 on one side has odds of 2 in 10^12).
      expect([...executed.keys()].sort()).to.deep.equal(['1', '2']);

      await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'canary', RoutingConfig: { AdditionalVersionWeights: { '2': 1 } } }));
      for (let i = 0; i < 5; i++) expect((await invoke(name, 'canary')).output.ExecutedVersion).to.equal('2');
      await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'canary', RoutingConfig: { AdditionalVersionWeights: { '2': 0 } } }));
      for (let i = 0; i < 5; i++) expect((await invoke(name, 'canary')).output.ExecutedVersion).to.equal('1');
    });
  });

  it('keeps a resource policy per alias, removed with the alias', async () => {
    const name = await functionWithTwoVersions();
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    await lambda.send(
      new AddPermissionCommand({ FunctionName: name, Qualifier: 'live', StatementId: 's3-invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' }),
    );
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: 'live' }))).Policy!);
    expect(policy.Statement.map((s: { Resource: string }) => s.Resource)).to.deep.equal([arnOf(name, 'live')]);
    await expectAwsError(lambda.send(new GetPolicyCommand({ FunctionName: name })), 'ResourceNotFoundException', 404);
    await expectAwsError(lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: 'other' })), 'ResourceNotFoundException', 404, /Function not found/);

    await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: 'live' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2' }));
    await expectAwsError(lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: 'live' })), 'ResourceNotFoundException', 404);
  });

  it('runs an event source mapping on an alias ARN through the alias, following it when it moves', async () => {
    const kinesis = new KinesisClient(cloud.clientConfig());
    try {
      const { dir, cleanup } = tempDir('lambda-alias-esm-');
      cleanups.push(cleanup);
      const name = await functionWithTwoVersions({ OUT_DIR: dir });
      await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
      const streamArn = await createStream(kinesis, `alias-stream-${counter}`, 1);
      const mapping = await lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: arnOf(name, 'live'), EventSourceArn: streamArn, StartingPosition: 'TRIM_HORIZON' }),
      );
      expect(mapping.FunctionArn).to.equal(arnOf(name, 'live'));
      await waitFor(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === 'Enabled' ? true : undefined), 'mapping enabled');

      const file = path.join(dir, 'received.jsonl');
      const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
      await putNumbered(kinesis, `alias-stream-${counter}`, 0, 3);
      await waitFor(async () => (lines().length >= 3 ? true : undefined), 'first records');
      expect(lines().map((l) => [l.code, l.version, l.arn])).to.deep.equal(Array(3).fill(['one', '1', arnOf(name, 'live')]));

      await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2' }));
      await putNumbered(kinesis, `alias-stream-${counter}`, 3, 5);
      await waitFor(async () => (lines().length >= 5 ? true : undefined), 'records after the alias moved');
      expect(lines().slice(3).map((l) => [l.code, l.version, l.i])).to.deep.equal([['two', '2', 3], ['two', '2', 4]]);
    } finally {
      kinesis.destroy();
    }
  });

  it('authorizes invocations on the qualified ARN', async () => {
    const name = await functionWithTwoVersions();
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    const iam = new IAMClient(cloud.clientConfig());
    const user = `alias-invoker-${counter}`;
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user,
        PolicyName: 'invoke-live-only',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(name, 'live') }] }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
    iam.destroy();
    const limited = new LambdaClient({ ...cloud.clientConfig(), credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    try {
      const ok = await limited.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live' }));
      expect(ok.ExecutedVersion).to.equal('1');
      await expectAwsError(limited.send(new InvokeCommand({ FunctionName: name })), 'AccessDeniedException', 403, /lambda:InvokeFunction/);
      await expectAwsError(limited.send(new InvokeCommand({ FunctionName: name, Qualifier: '1' })), 'AccessDeniedException', 403);
      await expectAwsError(limited.send(new GetAliasCommand({ FunctionName: name, Name: 'live' })), 'AccessDeniedException', 403, /lambda:GetAlias/);
    } finally {
      limited.destroy();
    }
  });

  it('deploys AWS::Lambda::Version and AWS::Lambda::Alias with CloudFormation (Ref = ARNs, GetAtt Version), updates and deletes them', async () => {
    const cfn = new CloudFormationClient(cloud.clientConfig());
    const stackName = `aliases-stack-${++counter}`;
    const functionName = `cfn-aliased-${counter}`;
    const template = (code: string, versionId: string) =>
      JSON.stringify({
        Resources: {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              FunctionName: functionName,
              Runtime: 'nodejs22.x',
              Handler: 'index.handler',
              Role: ROLE,
              Code: { ZipFile: `exports.handler = async () => ({ code: '${code}' });` },
            },
          },
          [versionId]: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Fn' }, Description: code } },
          Live: {
            Type: 'AWS::Lambda::Alias',
            Properties: { FunctionName: { Ref: 'Fn' }, Name: 'live', FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] } },
          },
        },
        Outputs: {
          VersionArn: { Value: { Ref: versionId } },
          VersionNumber: { Value: { 'Fn::GetAtt': [versionId, 'Version'] } },
          AliasArn: { Value: { Ref: 'Live' } },
        },
      });
    const outputs = async () =>
      Object.fromEntries((await settledStack(cfn, stackName)).Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));
    try {
      await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: template('first', 'VersionA') }));
      const first = await settledStack(cfn, stackName);
      expect(first.StackStatus, first.StackStatusReason).to.equal('CREATE_COMPLETE');
      expect(await outputs()).to.deep.equal({ VersionArn: arnOf(functionName, '1'), VersionNumber: '1', AliasArn: arnOf(functionName, 'live') });
      expect((await invoke(arnOf(functionName, 'live'))).body).to.deep.equal({ code: 'first' });

      // New code and a new Version resource (as CDK names versions after their code): the alias moves, the old version goes.
      await cfn.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: template('second', 'VersionB') }));
      const second = await settledStack(cfn, stackName);
      expect(second.StackStatus, second.StackStatusReason).to.equal('UPDATE_COMPLETE');
      expect((await outputs()).VersionNumber).to.equal('2');
      const invoked = await invoke(functionName, 'live');
      expect([invoked.output.ExecutedVersion, invoked.body.code]).to.deep.equal(['2', 'second']);
      await expectAwsError(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: '1' })), 'ResourceNotFoundException', 404);

      const { StackId } = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!;
      await cfn.send(new DeleteStackCommand({ StackName: stackName }));
      expect((await settledStack(cfn, StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      await expectAwsError(lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' })), 'ResourceNotFoundException', 404);
    } finally {
      cfn.destroy();
    }
  });

  it('keeps aliases across a restart', async () => {
    const { dir, cleanup } = tempDir('lambda-alias-state-');
    cleanups.push(cleanup);
    let stateful = await startTestCloud({ stateDir: dir });
    try {
      await createExecutionRole(stateful.clientConfig(), 'alias-test-role');
      const client = new LambdaClient(stateful.clientConfig());
      await client.send(
        new CreateFunctionCommand({ FunctionName: 'kept', Runtime: 'nodejs22.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: await codeSaying('kept') }, Publish: true }),
      );
      await client.send(new CreateAliasCommand({ FunctionName: 'kept', Name: 'live', FunctionVersion: '1' }));
      client.destroy();
      await stateful.stop();
      stateful = await startTestCloud({ stateDir: dir });
      const again = new LambdaClient(stateful.clientConfig());
      expect((await again.send(new GetAliasCommand({ FunctionName: 'kept', Name: 'live' }))).FunctionVersion).to.equal('1');
      again.destroy();
    } finally {
      await stateful.stop();
    }
  });

  it('is served to the AWS CLI', async function () {
    const cli = ['/usr/bin/aws', ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'aws'))].find((p) => existsSync(p));
    if (!cli) this.skip();
    const name = await functionWithTwoVersions();
    const { dir, cleanup } = tempDir('aws-cli-');
    cleanups.push(cleanup);
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
    const created = await aws('lambda', 'create-alias', '--function-name', name, '--name', 'cli', '--function-version', '1',
      '--routing-config', 'AdditionalVersionWeights={2=0.3}');
    expect(created).to.deep.include({ AliasArn: arnOf(name, 'cli'), FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } } });
    const listed = await aws('lambda', 'list-aliases', '--function-name', name);
    expect(listed.Aliases.map((a: { Name: string }) => a.Name)).to.deep.equal(['cli']);
    await aws('lambda', 'delete-alias', '--function-name', name, '--name', 'cli');
    expect((await aws('lambda', 'list-aliases', '--function-name', name)).Aliases).to.deep.equal([]);
  });
});
