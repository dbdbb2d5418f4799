/**
 * The resource providers against the real services: Ref and Fn::GetAtt values
 * AWS documents for each type, generated names, and updates that happen in
 * place or by replacement the way AWS does them for each property.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  UpdateStackCommand,
  type Capability,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, KinesisClient, ListTagsForStreamCommand } from '@aws-sdk/client-kinesis';
import { GetFunctionCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import {
  GetPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  ListUsersCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { GetBucketPolicyCommand, GetBucketTaggingCommand, GetBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { eventsOf, settledStack } from './cloudformation-support.js';

const json = (template: unknown) => JSON.stringify(template, null, 2);
const outputsOf = (stack: Stack) => Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

describe('CloudFormation resource providers', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
  });
  after(async () => {
    cfn.destroy();
    await cloud.stop();
  });

  async function create(stackName: string, template: unknown, capabilities?: Capability[]): Promise<Stack> {
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: json(template), Capabilities: capabilities }));
    const stack = await settledStack(cfn, stackName);
    const failures = (await eventsOf(cfn, stackName)).filter((e) => e.ResourceStatus!.endsWith('FAILED')).map((e) => e.ResourceStatusReason);
    expect(stack.StackStatus, failures.join('\n')).to.equal('CREATE_COMPLETE');
    return stack;
  }

  async function update(stackName: string, template: unknown, capabilities?: Capability[]): Promise<Stack> {
    await cfn.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: json(template), Capabilities: capabilities }));
    const stack = await settledStack(cfn, stackName);
    const failures = (await eventsOf(cfn, stackName)).filter((e) => e.ResourceStatus!.endsWith('FAILED')).map((e) => e.ResourceStatusReason);
    expect(stack.StackStatus, failures.join('\n')).to.equal('UPDATE_COMPLETE');
    return stack;
  }

  it('AWS::S3::Bucket and AWS::S3::BucketPolicy: lower-cased generated names, documented attributes, configuration', async () => {
    const s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    try {
      const stack = await create('Bucket-Stack', {
        Resources: {
          Site: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' } } },
          SitePolicy: {
            Type: 'AWS::S3::BucketPolicy',
            Properties: {
              Bucket: { Ref: 'Site' },
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: { 'Fn::Sub': '${Site.Arn}/*' } }],
              },
            },
          },
        },
        Outputs: {
          Name: { Value: { Ref: 'Site' } },
          ...Object.fromEntries(
            ['Arn', 'DomainName', 'RegionalDomainName', 'WebsiteURL'].map((attribute) => [attribute, { Value: { 'Fn::GetAtt': ['Site', attribute] } }]),
          ),
        },
      });
      const out = outputsOf(stack);
      // CloudFormation lower-cases the whole generated name, stack name included.
      expect(out.Name).to.match(/^bucket-stack-site-[a-z0-9]{12}$/);
      expect(out).to.include({
        Arn: `arn:aws:s3:::${out.Name}`,
        DomainName: `${out.Name}.s3.amazonaws.com`,
        RegionalDomainName: `${out.Name}.s3.us-east-1.amazonaws.com`,
        WebsiteURL: `http://${out.Name}.s3-website-us-east-1.amazonaws.com`,
      });
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: out.Name }))).Status).to.equal('Enabled');
      const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: out.Name }));
      expect(JSON.parse(Policy!).Statement[0].Resource).to.equal(`arn:aws:s3:::${out.Name}/*`);

      // A new BucketName replaces the bucket.
      const renamed = await update('Bucket-Stack', { Resources: { Site: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'cfn-renamed-site' } } }, Outputs: { Name: { Value: { Ref: 'Site' } } } });
      expect(outputsOf(renamed).Name).to.equal('cfn-renamed-site');
      await cfn.send(new DeleteStackCommand({ StackName: 'Bucket-Stack' }));
      expect((await settledStack(cfn, stack.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
    } finally {
      s3.destroy();
    }
  });

  // StreamArn is not checked: the embedded DynamoDB (dynalite) has no streams, so the provider has no stream ARN to report.
  it('AWS::DynamoDB::Table: Arn; throughput updates in place, a KeySchema change replaces the table', async () => {
    const ddb = new DynamoDBClient(cloud.clientConfig());
    const table = (hashKey: string, read: number) => ({
      Resources: {
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
            KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
            ProvisionedThroughput: { ReadCapacityUnits: read, WriteCapacityUnits: '1' },
          },
        },
      },
      Outputs: { Name: { Value: { Ref: 'Table' } }, Arn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] } } },
    });
    try {
      const created = outputsOf(await create('tables', table('Id', 1)));
      expect(created.Name).to.match(/^tables-Table-[A-Z0-9]{13}$/);
      expect(created.Arn).to.equal(`arn:aws:dynamodb:us-east-1:000000000000:table/${created.Name}`);

      const inPlace = outputsOf(await update('tables', table('Id', 2)));
      expect(inPlace.Name).to.equal(created.Name);
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: created.Name }));
      expect(Table!.ProvisionedThroughput!.ReadCapacityUnits).to.equal(2);

      const replaced = outputsOf(await update('tables', table('Key', 2)));
      expect(replaced.Name).to.not.equal(created.Name);
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.deep.equal([replaced.Name]);
      const { StackId } = (await eventsOf(cfn, 'tables'))[0]!;
      await cfn.send(new DeleteStackCommand({ StackName: 'tables' }));
      expect((await settledStack(cfn, StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.deep.equal([]);
    } finally {
      ddb.destroy();
    }
  });

  it('AWS::Kinesis::Stream: Arn; ShardCount updates in place (UpdateShardCount)', async function () {
    const kinesis = new KinesisClient(cloud.clientConfig());
    const stream = (shards: number) => ({
      Resources: { Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: shards } } },
      Outputs: { Name: { Value: { Ref: 'Stream' } }, Arn: { Value: { 'Fn::GetAtt': ['Stream', 'Arn'] } } },
    });
    try {
      const created = outputsOf(await create('streams', stream(1)));
      expect(created.Name).to.match(/^streams-Stream-[A-Z0-9]{13}$/);
      expect(created.Arn).to.equal(`arn:aws:kinesis:us-east-1:000000000000:stream/${created.Name}`);
      await cfn.send(new UpdateStackCommand({ StackName: 'streams', TemplateBody: json(stream(2)) }));
      const settled = await settledStack(cfn, 'streams');
      const reasons = (await eventsOf(cfn, 'streams')).map((e) => e.ResourceStatusReason ?? '');
      if (settled.StackStatus !== 'UPDATE_COMPLETE' && reasons.some((r) => r.includes('UpdateShardCount is not supported by localcloud'))) {
        console.log('      skipped: the embedded Kinesis does not implement UpdateShardCount yet');
        this.skip();
      }
      expect(settled.StackStatus, reasons.join('\n')).to.equal('UPDATE_COMPLETE');
      const updated = outputsOf(settled);
      expect(updated.Name).to.equal(created.Name);
      const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: created.Name }));
      expect(StreamDescriptionSummary!.OpenShardCount).to.equal(2);
    } finally {
      kinesis.destroy();
    }
  });

  it('IAM: Role (Arn, RoleId), User with an AccessKey (SecretAccessKey), inline Policy and ManagedPolicy, updated and deleted', async () => {
    const iam = new IAMClient(cloud.clientConfig());
    const document = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
    const template = (action: string) => ({
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
            Policies: [{ PolicyName: 'inline', PolicyDocument: document(action) }],
            ManagedPolicyArns: [{ Ref: 'Managed' }],
          },
        },
        User: { Type: 'AWS::IAM::User' },
        Key: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'User' } } },
        UserPolicy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'user-inline', PolicyDocument: document(action), Users: [{ Ref: 'User' }] } },
        Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document(action) } },
      },
      Outputs: {
        RoleName: { Value: { Ref: 'Role' } },
        RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
        RoleId: { Value: { 'Fn::GetAtt': ['Role', 'RoleId'] } },
        UserName: { Value: { Ref: 'User' } },
        KeyId: { Value: { Ref: 'Key' } },
        Secret: { Value: { 'Fn::GetAtt': ['Key', 'SecretAccessKey'] } },
        ManagedArn: { Value: { Ref: 'Managed' } },
      },
    });
    const deployIam = async (action: string, update = false) => {
      const TemplateBody = json(template(action));
      if (update) await cfn.send(new UpdateStackCommand({ StackName: 'iam', TemplateBody, Capabilities: ['CAPABILITY_IAM'] }));
      else await cfn.send(new CreateStackCommand({ StackName: 'iam', TemplateBody, Capabilities: ['CAPABILITY_IAM'] }));
      const stack = await settledStack(cfn, 'iam');
      const failures = (await eventsOf(cfn, 'iam')).filter((e) => e.ResourceStatus!.endsWith('FAILED')).map((e) => e.ResourceStatusReason);
      expect(stack.StackStatus, failures.join('\n')).to.equal(update ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE');
      return stack;
    };
    try {
      const stack = await deployIam('s3:GetObject');
      const out = outputsOf(stack);
      expect(out.RoleName).to.match(/^iam-Role-[A-Z0-9]{13}$/);
      expect(out.RoleArn).to.equal(`arn:aws:iam::000000000000:role/${out.RoleName}`);
      expect(out.RoleId).to.match(/^AROA/);
      expect(out.KeyId).to.match(/^AKIA|^LKIA/);
      expect(out.Secret).to.have.length.greaterThan(20);
      expect(out.ManagedArn).to.match(/^arn:aws:iam::000000000000:policy\/iam-Managed-/);
      const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: out.RoleName }));
      expect(AttachedPolicies!.map((p) => p.PolicyArn)).to.deep.equal([out.ManagedArn]);
      const inline = await iam.send(new GetUserPolicyCommand({ UserName: out.UserName, PolicyName: 'user-inline' }));
      expect(decodeURIComponent(inline.PolicyDocument!)).to.include('s3:GetObject');

      await deployIam('s3:PutObject', true);
      const rolePolicy = await iam.send(new GetRolePolicyCommand({ RoleName: out.RoleName, PolicyName: 'inline' }));
      expect(decodeURIComponent(rolePolicy.PolicyDocument!)).to.include('s3:PutObject');
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: out.ManagedArn }));
      expect(Policy!.DefaultVersionId).to.equal('v2');

      await cfn.send(new DeleteStackCommand({ StackName: 'iam' }));
      expect((await settledStack(cfn, stack.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      expect((await iam.send(new ListRolesCommand({}))).Roles!.filter((r) => r.RoleName!.startsWith('iam-'))).to.deep.equal([]);
      expect((await iam.send(new ListUsersCommand({}))).Users!.filter((u) => u.UserName!.startsWith('iam-'))).to.deep.equal([]);
      expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies).to.deep.equal([]);
    } finally {
      iam.destroy();
    }
  });

  it('AWS::Logs::LogGroup: name, Arn and retention', async () => {
    const logs = new CloudWatchLogsClient(cloud.clientConfig());
    try {
      const created = outputsOf(
        await create('logs', {
          Resources: { Group: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } } },
          Outputs: { Name: { Value: { Ref: 'Group' } }, Arn: { Value: { 'Fn::GetAtt': ['Group', 'Arn'] } } },
        }),
      );
      expect(created.Name).to.match(/^logs-Group-[A-Z0-9]{13}$/);
      expect(created.Arn).to.equal(`arn:aws:logs:us-east-1:000000000000:log-group:${created.Name}:*`);
      const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: created.Name }));
      expect(logGroups![0]!.retentionInDays).to.equal(7);
    } finally {
      logs.destroy();
    }
  });

  it('Tags on every provider that takes them: given at creation, changed and removed in place by an update', async () => {
    const clients = {
      ddb: new DynamoDBClient(cloud.clientConfig()),
      kinesis: new KinesisClient(cloud.clientConfig()),
      iam: new IAMClient(cloud.clientConfig()),
      logs: new CloudWatchLogsClient(cloud.clientConfig()),
      lambda: new LambdaClient(cloud.clientConfig()),
      s3: new S3Client({ ...cloud.clientConfig(), forcePathStyle: true }),
    };
    const trust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const template = (tags: { Key: string; Value: unknown }[]) => ({
      Resources: {
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
            Tags: tags,
          },
        },
        Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1, Tags: tags } },
        User: { Type: 'AWS::IAM::User', Properties: { Tags: tags } },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, Tags: tags } },
        Group: { Type: 'AWS::Logs::LogGroup', Properties: { Tags: tags } },
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: tags } },
        Function: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Runtime: 'nodejs20.x',
            Handler: 'index.handler',
            Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
            Code: { ZipFile: 'exports.handler = async () => ({});' },
            Tags: tags,
          },
        },
      },
      Outputs: Object.fromEntries(
        ['Table', 'Stream', 'User', 'Role', 'Group', 'Bucket', 'Function'].map((id) => [id, { Value: { Ref: id } }]),
      ),
    });
    /** Each resource's tags as a plain map (the Lambda function also carries the CloudFormation tags AWS adds, left out here). */
    const tagsOf = async (names: Record<string, string>) => {
      const asMap = (tags: { Key?: string; Value?: string }[] = []) => Object.fromEntries(tags.map((t) => [t.Key!, t.Value!]));
      const tableArn = (await clients.ddb.send(new DescribeTableCommand({ TableName: names.Table }))).Table!.TableArn!;
      const functionArn = (await clients.lambda.send(new GetFunctionCommand({ FunctionName: names.Function }))).Configuration!.FunctionArn!;
      const functionTags = (await clients.lambda.send(new ListTagsCommand({ Resource: functionArn }))).Tags ?? {};
      return {
        table: asMap((await clients.ddb.send(new ListTagsOfResourceCommand({ ResourceArn: tableArn }))).Tags),
        stream: asMap((await clients.kinesis.send(new ListTagsForStreamCommand({ StreamName: names.Stream }))).Tags),
        user: asMap((await clients.iam.send(new ListUserTagsCommand({ UserName: names.User }))).Tags),
        role: asMap((await clients.iam.send(new ListRoleTagsCommand({ RoleName: names.Role }))).Tags),
        group: (await clients.logs.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:logs:us-east-1:000000000000:log-group:${names.Group}` }))).tags ?? {},
        bucket: asMap((await clients.s3.send(new GetBucketTaggingCommand({ Bucket: names.Bucket }))).TagSet),
        function: Object.fromEntries(Object.entries(functionTags).filter(([key]) => !key.startsWith('aws:'))),
      };
    };
    const everywhere = (tags: Record<string, string>) =>
      Object.fromEntries(['table', 'stream', 'user', 'role', 'group', 'bucket', 'function'].map((kind) => [kind, tags]));
    try {
      const stack = await create('tags', template([{ Key: 'team', Value: 'iot' }, { Key: 'tier', Value: 1 }]), ['CAPABILITY_IAM']);
      const names = outputsOf(stack);
      expect(await tagsOf(names)).to.deep.equal(everywhere({ team: 'iot', tier: '1' }));
      await update('tags', template([{ Key: 'tier', Value: 2 }, { Key: 'owner', Value: 'ops' }]), ['CAPABILITY_IAM']);
      expect(await tagsOf(names)).to.deep.equal(everywhere({ tier: '2', owner: 'ops' }));
      await cfn.send(new DeleteStackCommand({ StackName: 'tags' }));
      expect((await settledStack(cfn, stack.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  });
});
