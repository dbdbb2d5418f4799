import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { IAMClient, CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { expectAwsError } from '../support/aws-errors.js';
import { rawJsonRequest } from '../support/raw-json.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';

const run = promisify(execFile);

describe('SSM Parameter Store', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let ssm: SSMClient;

  before(async () => {
    cloud = await startTestCloud();
    ssm = new SSMClient(cloud.clientConfig());
  });
  after(async () => {
    ssm?.destroy();
    await cloud?.stop();
  });

  it('shows as `ssm` in /_localstack/health', async () => {
    const body = (await (await fetch(`${cloud.url}/_localstack/health`)).json()) as { services: Record<string, string> };
    expect(body.services.ssm).to.equal('running');
  });

  it('puts, overwrites and reads a String parameter with its versions', async () => {
    const first = await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db1', Type: 'String', Description: 'db host' }));
    expect(first).to.include({ Version: 1, Tier: 'Standard' });
    await expectAwsError(ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db2', Type: 'String' })), 'ParameterAlreadyExists', 400);
    const second = await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db2', Overwrite: true }));
    expect(second.Version).to.equal(2);

    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/app/db/host' }));
    expect(Parameter).to.include({ Name: '/app/db/host', Type: 'String', Value: 'db2', Version: 2, DataType: 'text' });
    expect(Parameter!.ARN).to.equal('arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host');
    expect(Parameter!.LastModifiedDate).to.be.instanceOf(Date);

    const v1 = await ssm.send(new GetParameterCommand({ Name: '/app/db/host:1' }));
    expect(v1.Parameter).to.include({ Value: 'db1', Version: 1, Selector: ':1' });
    await expectAwsError(ssm.send(new GetParameterCommand({ Name: '/app/db/host:7' })), 'ParameterVersionNotFound', 400);
    await expectAwsError(ssm.send(new GetParameterCommand({ Name: '/app/nothing' })), 'ParameterNotFound', 400);

    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/host' }));
    expect(history.Parameters!.map((p) => [p.Version, p.Value, p.Description])).to.deep.equal([
      [1, 'db1', 'db host'],
      [2, 'db2', 'db host'],
    ]);
  });

  it('keeps SecureString values encrypted unless WithDecryption, with the default or a labelled KeyId', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 'hunter2', Type: 'SecureString' }));
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/app/secret' }));
    expect(sealed.Parameter!.Type).to.equal('SecureString');
    expect(sealed.Parameter!.Value).to.not.equal('hunter2');
    const open = await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }));
    expect(open.Parameter!.Value).to.equal('hunter2');

    await ssm.send(new PutParameterCommand({ Name: '/app/secret2', Value: 's', Type: 'SecureString', KeyId: 'alias/my-key' }));
    const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }));
    expect(described.Parameters!.map((p) => [p.Name, p.KeyId])).to.deep.equal([
      ['/app/secret', 'alias/aws/ssm'],
      ['/app/secret2', 'alias/my-key'],
    ]);
    await expectAwsError(ssm.send(new PutParameterCommand({ Name: '/app/plain', Value: 'x', Type: 'String', KeyId: 'alias/k' })), 'ValidationException', 400);
  });

  it('validates names, values, tiers, data types and patterns as AWS does', async () => {
    const put = (input: Partial<ConstructorParameters<typeof PutParameterCommand>[0]>) =>
      ssm.send(new PutParameterCommand({ Name: '/v/x', Value: 'v', Type: 'String', ...input } as never));
    await expectAwsError(put({ Name: '/aws/reserved/x' }), 'AccessDeniedException', 400, /^No access to reserved parameter name: \/aws\/reserved\/x\.$/);
    await expectAwsError(put({ Name: 'ssm-thing' }), 'ValidationException', 400, /^Parameter name: can't be prefixed with "aws" or "ssm" \(case-insensitive\)\.$/);
    await expectAwsError(put({ Name: '/ssm/x/y' }), 'ValidationException', 400, /If formed as a path/);
    await expectAwsError(put({ Name: '/has space' }), 'ValidationException', 400);
    await expectAwsError(put({ Name: 'a/b' }), 'ValidationException', 400, /sub-paths divided by slash/);
    await expectAwsError(put({ Name: '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/') }), 'HierarchyLevelLimitExceededException', 400);
    await expectAwsError(put({ Name: '/' + 'n'.repeat(1100) }), 'ValidationException', 400);
    await expectAwsError(put({ Value: 'x'.repeat(4097) }), 'ValidationException', 400, /4096/);
    expect((await put({ Name: '/v/big', Value: 'x'.repeat(5000), Tier: 'Advanced' })).Tier).to.equal('Advanced');
    expect((await put({ Name: '/v/smart', Value: 'x'.repeat(5000), Tier: 'Intelligent-Tiering' })).Tier).to.equal('Advanced');
    await expectAwsError(put({ Name: '/v/big', Value: 'y', Tier: 'Standard', Overwrite: true }), 'ValidationException', 400, /downgrade/);
    await expectAwsError(put({ Value: 'x'.repeat(8193), Tier: 'Advanced' }), 'ValidationException', 400, /8192/);
    await expectAwsError(put({ Type: 'Number' as never }), 'ValidationException', 400, /enum value set/);
    await expectAwsError(put({ Type: undefined }), 'ValidationException', 400, /type is required/);
    await expectAwsError(put({ AllowedPattern: '^\\d+$', Value: 'abc' }), 'ParameterPatternMismatchException', 400);
    expect((await put({ Name: '/v/num', AllowedPattern: '^\\d+$', Value: '42' })).Version).to.equal(1);
    await expectAwsError(put({ Name: '/v/num', Value: 'nope', Overwrite: true }), 'ParameterPatternMismatchException', 400);
    await expectAwsError(put({ DataType: 'aws:ec2:image', Value: 'not-an-ami' }), 'ValidationException', 400);
    await put({ Name: '/v/ami', DataType: 'aws:ec2:image', Value: 'ami-0123456789abcdef0' });
    await expectAwsError(put({ DataType: 'TEXT' }), 'ValidationException', 400);
    await expectAwsError(put({ Tags: [{ Key: 'a', Value: 'b' }], Overwrite: true }), 'ValidationException', 400, /tags and overwrite/);
    await expectAwsError(put({ Policies: '[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}}]', Tier: 'Advanced' }), 'InvalidPolicyTypeException', 400);
  });

  it('reads several parameters, with selectors and InvalidParameters', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'plain', Value: 'p', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: 'list', Value: 'a,b,c', Type: 'StringList' }));
    const got = await ssm.send(new GetParametersCommand({ Names: ['plain', 'list', 'missing', 'plain:9'] }));
    expect(got.Parameters!.map((p) => [p.Name, p.Type, p.Value])).to.deep.equal([
      ['plain', 'String', 'p'],
      ['list', 'StringList', 'a,b,c'],
    ]);
    expect(got.InvalidParameters).to.deep.equal(['missing', 'plain:9']);
    await expectAwsError(ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `n${i}`) })), 'ValidationException', 400);
  });

  it('walks a hierarchy by path, recursively or one level, with filters and pages of at most 10', async () => {
    for (let i = 0; i < 12; i++) await ssm.send(new PutParameterCommand({ Name: `/tree/leaf${String(i).padStart(2, '0')}`, Value: `${i}`, Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/tree/deep/down', Value: 'deep', Type: 'SecureString' }));
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: '/tree', NextToken }));
      expect(page.Parameters!.length).to.be.at.most(10);
      names.push(...page.Parameters!.map((p) => p.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(names).to.have.length(12);
    expect(names).to.not.include('/tree/deep/down');

    const recursive = await ssm.send(
      new GetParametersByPathCommand({ Path: '/tree/', Recursive: true, WithDecryption: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }),
    );
    expect(recursive.Parameters!.map((p) => [p.Name, p.Value])).to.deep.equal([['/tree/deep/down', 'deep']]);
    await expectAwsError(ssm.send(new GetParametersByPathCommand({ Path: '/tree', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), 'InvalidFilterKey', 400);
    await expectAwsError(ssm.send(new GetParametersByPathCommand({ Path: '/tree', MaxResults: 11 })), 'ValidationException', 400);
    await expectAwsError(ssm.send(new GetParametersByPathCommand({ Path: 'tree' })), 'ValidationException', 400, /must begin with a forward slash/);

    // Names without a leading slash sit at the root, next to `/top`-style ones.
    await ssm.send(new PutParameterCommand({ Name: '/rootlevel', Value: 'r', Type: 'String' }));
    const root = await ssm.send(new GetParametersByPathCommand({ Path: '/', ParameterFilters: [{ Key: 'Type', Values: ['String'] }] }));
    expect(root.Parameters!.map((p) => p.Name)).to.include.members(['plain', '/rootlevel']).and.not.include('/tree/leaf00');
  });

  it('describes parameters with ParameterFilters (Name, Path, tag) and pages', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/d/one', Value: '1', Type: 'String', Tags: [{ Key: 'team', Value: 'iot' }] }));
    await ssm.send(new PutParameterCommand({ Name: '/d/sub/two', Value: '2', Type: 'String', Tags: [{ Key: 'team', Value: 'web' }] }));
    const describe = async (filters: any) =>
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters: filters }))).Parameters!.map((p) => p.Name);
    expect(await describe([{ Key: 'Path', Values: ['/d'] }])).to.deep.equal(['/d/one']);
    expect(await describe([{ Key: 'Path', Option: 'Recursive', Values: ['/d'] }])).to.deep.equal(['/d/one', '/d/sub/two']);
    expect(await describe([{ Key: 'Name', Option: 'BeginsWith', Values: ['/d/s'] }])).to.deep.equal(['/d/sub/two']);
    expect(await describe([{ Key: 'Name', Option: 'Contains', Values: ['one'] }])).to.deep.equal(['/d/one']);
    expect(await describe([{ Key: 'tag:team', Values: ['iot'] }])).to.deep.equal(['/d/one']);
    expect(await describe([{ Key: 'tag:team' }, { Key: 'Path', Option: 'Recursive', Values: ['/d'] }])).to.deep.equal(['/d/one', '/d/sub/two']);
    await expectAwsError(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Contains', Values: ['/d'] }] })), 'InvalidFilterOption', 400);
    await expectAwsError(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Colour', Values: ['x'] }] })), 'InvalidFilterKey', 400);
    await expectAwsError(
      ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['/d'] }], ParameterFilters: [{ Key: 'Type', Values: ['String'] }] })),
      'ValidationException',
      400,
    );

    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(new DescribeParametersCommand({ MaxResults: 3, NextToken }));
      expect(page.Parameters!.length).to.be.at.most(3);
      seen.push(...page.Parameters!.map((p) => p.Name!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.include.members(['/d/one', '/d/sub/two', '/app/db/host']);
  });

  it('labels versions: moves labels, reports invalid ones, limits ten per version, reads by label', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/lab/p', Value: 'v1', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/lab/p', Value: 'v2', Type: 'String', Overwrite: true }));
    const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 1, Labels: ['prod', '1bad', 'awsy', 'has/slash'] }));
    expect(labelled).to.deep.include({ ParameterVersion: 1, InvalidLabels: ['1bad', 'awsy', 'has/slash'] });
    expect((await ssm.send(new GetParameterCommand({ Name: '/lab/p:prod' }))).Parameter).to.include({ Value: 'v1', Selector: ':prod' });

    await ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', Labels: ['prod'] }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/lab/p:prod' }))).Parameter!.Value).to.equal('v2');
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/lab/p' }));
    expect(history.Parameters!.map((p) => p.Labels)).to.deep.equal([[], ['prod']]);

    await expectAwsError(
      ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 2, Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) })),
      'ParameterVersionLabelLimitExceeded',
      400,
    );
    await expectAwsError(ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 9, Labels: ['x'] })), 'ParameterVersionNotFound', 400);
    const unlabelled = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 2, Labels: ['prod', 'never'] }));
    expect(unlabelled).to.deep.include({ RemovedLabels: ['prod'], InvalidLabels: ['never'] });
    await expectAwsError(ssm.send(new GetParameterCommand({ Name: '/lab/p:prod' })), 'ParameterVersionNotFound', 400);
  });

  it('keeps 100 versions, dropping the oldest, unless the oldest carries a label', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/many', Value: 'v1', Type: 'String' }));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/many', ParameterVersion: 1, Labels: ['first'] }));
    for (let i = 2; i <= 100; i++) await ssm.send(new PutParameterCommand({ Name: '/many', Value: `v${i}`, Overwrite: true }));
    await expectAwsError(ssm.send(new PutParameterCommand({ Name: '/many', Value: 'v101', Overwrite: true })), 'ParameterMaxVersionLimitExceeded', 400);
    await ssm.send(new UnlabelParameterVersionCommand({ Name: '/many', ParameterVersion: 1, Labels: ['first'] }));
    expect((await ssm.send(new PutParameterCommand({ Name: '/many', Value: 'v101', Overwrite: true }))).Version).to.equal(101);
    await expectAwsError(ssm.send(new GetParameterCommand({ Name: '/many:1' })), 'ParameterVersionNotFound', 400);
    expect((await ssm.send(new GetParameterCommand({ Name: '/many:2' }))).Parameter!.Value).to.equal('v2');
  });

  it('tags parameters (ResourceType Parameter) and deletes one or many', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/tagged', Value: 't', Type: 'String', Tags: [{ Key: 'a', Value: '1' }] }));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', Tags: [{ Key: 'b', Value: '2' }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', TagKeys: ['a'] }));
    const { TagList } = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged' }));
    expect(TagList).to.deep.equal([{ Key: 'b', Value: '2' }]);
    await expectAwsError(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: '/tagged' })), 'InvalidResourceType', 400);
    await expectAwsError(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/nope' })), 'InvalidResourceId', 400);

    await ssm.send(new DeleteParameterCommand({ Name: '/tagged' }));
    await expectAwsError(ssm.send(new DeleteParameterCommand({ Name: '/tagged' })), 'ParameterNotFound', 400);
    const deleted = await ssm.send(new DeleteParametersCommand({ Names: ['plain', 'list', 'gone'] }));
    expect(deleted).to.deep.include({ DeletedParameters: ['plain', 'list'], InvalidParameters: ['gone'] });
  });

  it('keeps accounts and regions apart', async () => {
    const otherRegion = new SSMClient(cloud.clientConfig('eu-west-1'));
    const otherAccount = new SSMClient({ ...cloud.clientConfig(), credentials: { accessKeyId: '111111111111', secretAccessKey: 'test' } });
    await expectAwsError(otherRegion.send(new GetParameterCommand({ Name: '/app/db/host' })), 'ParameterNotFound');
    await expectAwsError(otherAccount.send(new GetParameterCommand({ Name: '/app/db/host' })), 'ParameterNotFound');
    await otherAccount.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'theirs', Type: 'String' }));
    const { Parameter } = await otherAccount.send(new GetParameterCommand({ Name: '/app/db/host' }));
    expect(Parameter).to.include({ Value: 'theirs', Version: 1, ARN: 'arn:aws:ssm:us-east-1:111111111111:parameter/app/db/host' });
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/db/host' }))).Parameter!.Value).to.equal('db2');
    otherRegion.destroy();
    otherAccount.destroy();
  });

  it('answers malformed requests with 400s, never a 500', async () => {
    const cases: Array<[string, unknown]> = [
      ['PutParameter', { Name: 7, Value: 'v', Type: 'String' }],
      ['PutParameter', { Name: '/m', Value: ['v'], Type: 'String' }],
      ['PutParameter', { Name: '/m', Value: 'v', Type: 'String', Tags: 'x' }],
      ['PutParameter', { Name: '/m', Value: 'v', Type: 'String', AllowedPattern: 5 }],
      ['PutParameter', { Name: '/m', Value: 'v', Type: 'String', AllowedPattern: '(' }],
      ['PutParameter', { Name: '/m', Value: 'v', Type: { a: 1 } }],
      ['GetParameter', {}],
      ['GetParameters', { Names: 'x' }],
      ['GetParameters', { Names: [null] }],
      ['GetParametersByPath', { Path: '/a', NextToken: 12 }],
      ['GetParametersByPath', { Path: '/a', NextToken: 'garbage' }],
      ['GetParametersByPath', { Path: '/a', ParameterFilters: [{ Key: 'Type', Values: 'String' }] }],
      ['DescribeParameters', { ParameterFilters: [null] }],
      ['DescribeParameters', { Filters: [{ Key: 'Name', Values: [1] }] }],
      ['DescribeParameters', { MaxResults: 'ten' }],
      ['LabelParameterVersion', { Name: '/app/db/host', Labels: 'prod' }],
      ['AddTagsToResource', { ResourceType: 'Parameter', ResourceId: '/app/db/host', Tags: [{ Key: 'k' }] }],
      ['RemoveTagsFromResource', { ResourceType: 'Parameter', ResourceId: '/app/db/host' }],
    ];
    for (const [operation, body] of cases) {
      const res = await rawJsonRequest(cloud.url, `AmazonSSM.${operation}`, JSON.stringify(body), 'application/x-amz-json-1.1');
      expect(res.status, `${operation} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).to.equal(400);
      expect(res.body.__type).to.be.a('string').and.not.equal('InternalFailure');
    }
  });

  it('enforces IAM on the parameter ARN (without the leading slash)', async () => {
    const iam = new IAMClient(cloud.clientConfig());
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'reader',
        PolicyName: 'read-app',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParametersByPath'], Resource: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/*' }],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
    const reader = new SSMClient({ ...cloud.clientConfig(), credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    expect((await reader.send(new GetParameterCommand({ Name: '/app/db/host:1' }))).Parameter!.Value).to.equal('db1');
    await expectAwsError(reader.send(new GetParameterCommand({ Name: '/d/one' })), 'AccessDeniedException', 400);
    await expectAwsError(reader.send(new PutParameterCommand({ Name: '/app/new', Value: 'x', Type: 'String' })), 'AccessDeniedException', 400);
    reader.destroy();
    iam.destroy();
  });
});

describe('SSM Parameter Store: persistence and the AWS CLI', function () {
  this.timeout(120_000);

  it('keeps parameters and SecureString keys across a restart, sealed at rest', async () => {
    const state = tempDir();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let ssm = new SSMClient(cloud.clientConfig());
      await ssm.send(new PutParameterCommand({ Name: '/keep/secret', Value: 'plaintext-marker', Type: 'SecureString' }));
      ssm.destroy();
      await cloud.stop();
      const files = readdirSync(path.join(state.dir, 'ssm'));
      const onDisk = files.map((f) => readFileSync(path.join(state.dir, 'ssm', f), 'utf8')).join('\n');
      expect(onDisk).to.include('/keep/secret');
      expect(onDisk).to.not.include('plaintext-marker');

      cloud = await startTestCloud({ stateDir: state.dir });
      ssm = new SSMClient(cloud.clientConfig());
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/keep/secret', WithDecryption: true }));
      expect(Parameter!.Value).to.equal('plaintext-marker');
      ssm.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });

  it('`aws ssm put-parameter` / `get-parameter` / `get-parameters-by-path`', async function () {
    const cli = (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'aws')).find((p) => existsSync(p));
    if (!cli) this.skip();
    const cloud = await startTestCloud();
    const home = mkdtempSync(path.join(os.tmpdir(), 'aws-cli-ssm-'));
    const aws = async (...args: string[]) => {
      const { stdout } = await run(cli!, ['--endpoint-url', cloud.url, '--output', 'json', ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          AWS_CONFIG_FILE: path.join(home, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
        },
      });
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    };
    try {
      expect(await aws('ssm', 'put-parameter', '--name', '/cli/greeting', '--value', 'hello', '--type', 'String')).to.deep.equal({ Version: 1, Tier: 'Standard' });
      await aws('ssm', 'put-parameter', '--name', '/cli/token', '--value', 's3cr3t', '--type', 'SecureString');
      const got = await aws('ssm', 'get-parameter', '--name', '/cli/token', '--with-decryption');
      expect(got.Parameter).to.include({ Name: '/cli/token', Type: 'SecureString', Value: 's3cr3t', Version: 1 });
      const byPath = await aws('ssm', 'get-parameters-by-path', '--path', '/cli');
      expect(byPath.Parameters.map((p: any) => p.Name)).to.deep.equal(['/cli/greeting', '/cli/token']);
      const failure = await aws('ssm', 'get-parameter', '--name', '/cli/none').then(
        () => undefined,
        (err: { stderr: string }) => err.stderr,
      );
      expect(failure).to.match(/ParameterNotFound/);
    } finally {
      await cloud.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
