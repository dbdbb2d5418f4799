/**
 * The project's own template on the embedded cloud, through CloudFormation
 * alone: build the function zips, upload them and the nested config-helper
 * template to a code bucket, CreateStack with CAPABILITY_IAM, and check every
 * resource, the configuration the custom resources write, the outputs and
 * the template's bytes; then remove the configuration through an update,
 * and delete the stack (after emptying the archive bucket) leaving nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { buildFunctions } from '../../harness/build/build.js';
import { NESTED_TEMPLATE_PATH, TEMPLATE_PATH } from '../../harness/support/paths.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { eventsOf, settledStack } from './cloudformation-support.js';

const STACK = 'iot-cfn';
const CODE_BUCKET = 'iot-cfn-code';
const CODE_PREFIX = 'iot-backend';
const CONFIG_TABLE = 'IoTRefArchConfig';

const EXPECTED_RESOURCES: Record<string, string> = {
  TestClientUser: 'AWS::IAM::User',
  TestClientPolicy: 'AWS::IAM::Policy',
  TestClientKeys: 'AWS::IAM::AccessKey',
  EventStream: 'AWS::Kinesis::Stream',
  ArchiveBucket: 'AWS::S3::Bucket',
  SensorDataTable: 'AWS::DynamoDB::Table',
  ConfigTable: 'AWS::DynamoDB::Table',
  ApiFunction: 'AWS::Lambda::Function',
  DdbCloudWatchEventProcessorFunction: 'AWS::Lambda::Function',
  EventArchiverFunction: 'AWS::Lambda::Function',
  ApiExecutionRole: 'AWS::IAM::Role',
  DdbCloudWatchProcessorRole: 'AWS::IAM::Role',
  EventArchiverRole: 'AWS::IAM::Role',
  DdbCloudWatchProcessorSourceMapping: 'AWS::Lambda::EventSourceMapping',
  EventArchiverSourceMapping: 'AWS::Lambda::EventSourceMapping',
  ConfigHelperStack: 'AWS::CloudFormation::Stack',
  SensorDataTableConfig: 'Custom::ConfigSetting',
  ArchiveBucketConfig: 'Custom::ConfigSetting',
};

describe('CloudFormation deploys the IoT backend template', function () {
  this.timeout(120_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  let ddb: DynamoDBClient;
  let stack: Stack;
  let outputs: Record<string, string>;
  const templateBody = readFileSync(TEMPLATE_PATH, 'utf8');

  before(async () => {
    cloud = await startTestCloud();
    const config = cloud.clientConfig();
    cfn = new CloudFormationClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    ddb = new DynamoDBClient(config);

    const zips = tempDir('iot-zips-');
    try {
      const built = await buildFunctions({ outDir: zips.dir });
      await s3.send(new CreateBucketCommand({ Bucket: CODE_BUCKET }));
      for (const fn of built) {
        await s3.send(new PutObjectCommand({ Bucket: CODE_BUCKET, Key: `${CODE_PREFIX}/${path.basename(fn.zipPath)}`, Body: readFileSync(fn.zipPath) }));
      }
    } finally {
      zips.cleanup();
    }
    await s3.send(new PutObjectCommand({ Bucket: CODE_BUCKET, Key: `${CODE_PREFIX}/config-helper.template`, Body: readFileSync(NESTED_TEMPLATE_PATH) }));
  });

  after(async () => {
    for (const client of [cfn, s3, ddb]) client?.destroy();
    await cloud?.stop();
  });

  it('creates the stack and its nested stack (CREATE_COMPLETE)', async () => {
    const started = Date.now();
    await cfn.send(
      new CreateStackCommand({
        StackName: STACK,
        TemplateBody: templateBody,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [
          { ParameterKey: 'CodeBucket', ParameterValue: CODE_BUCKET },
          { ParameterKey: 'CodeKeyPrefix', ParameterValue: CODE_PREFIX },
        ],
      }),
    );
    stack = await settledStack(cfn, STACK, 60_000);
    const elapsed = Date.now() - started;
    const events = await eventsOf(cfn, STACK);
    const failures = events.filter((e) => e.ResourceStatus?.endsWith('FAILED')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
    expect(stack.StackStatus, failures.join('\n')).to.equal('CREATE_COMPLETE');
    const engineTime = events.at(-1)!.Timestamp!.getTime() - events[0]!.Timestamp!.getTime();
    // The figure CloudFormation speed is judged by (reported, never asserted: machines are shared and noisy).
    const durations = Object.keys(EXPECTED_RESOURCES)
      .map((id) => {
        const at = (status: string) => events.find((e) => e.LogicalResourceId === id && e.ResourceStatus === status)?.Timestamp?.getTime() ?? 0;
        return { id, ms: at('CREATE_COMPLETE') - at('CREATE_IN_PROGRESS') };
      })
      .sort((a, b) => b.ms - a.ms);
    console.log(`      deploy: ${elapsed} ms until DescribeStacks said CREATE_COMPLETE (${engineTime} ms from first to last event)`);
    console.log(`      slowest: ${durations.slice(0, 4).map((d) => `${d.id} ${d.ms} ms`).join(', ')}`);
    outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));

    const nestedId = (await cfn.send(new ListStackResourcesCommand({ StackName: STACK }))).StackResourceSummaries!.find(
      (r) => r.LogicalResourceId === 'ConfigHelperStack',
    )!.PhysicalResourceId!;
    const nested = (await cfn.send(new DescribeStacksCommand({ StackName: nestedId }))).Stacks![0]!;
    expect(nested.StackName).to.match(new RegExp(`^${STACK}-ConfigHelperStack-[A-Z0-9]{13}$`));
    expect(nested).to.include({ StackStatus: 'CREATE_COMPLETE', ParentId: stack.StackId, TimeoutInMinutes: 2 });
    expect(nested.Outputs![0]!.OutputValue).to.match(/^arn:aws:lambda:us-east-1:000000000000:function:iot-cfn-ConfigHelperStack-/);
  });

  it('has every resource, each with its physical ID', async () => {
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: STACK }));
    const byId = Object.fromEntries(StackResourceSummaries!.map((r) => [r.LogicalResourceId!, r]));
    expect(Object.keys(byId).sort()).to.deep.equal(Object.keys(EXPECTED_RESOURCES).sort());
    for (const [logicalId, type] of Object.entries(EXPECTED_RESOURCES)) {
      expect(byId[logicalId]).to.include({ ResourceType: type, ResourceStatus: 'CREATE_COMPLETE' });
      expect(byId[logicalId]!.PhysicalResourceId, logicalId).to.be.a('string').and.not.empty;
    }
    expect(byId.ConfigTable!.PhysicalResourceId).to.equal(CONFIG_TABLE);
    expect(byId.ArchiveBucket!.PhysicalResourceId).to.match(/^iot-cfn-archivebucket-[a-z0-9]{12}$/);
    expect(byId.ApiFunction!.PhysicalResourceId).to.match(/^iot-cfn-ApiFunction-[A-Z0-9]{13}$/);
    expect(byId.TestClientKeys!.PhysicalResourceId).to.equal(outputs.AccessKeyId);
  });

  it('lets the custom resources write the configuration item', async () => {
    const { Item } = await ddb.send(new GetItemCommand({ TableName: CONFIG_TABLE, Key: { Environment: { S: 'demo' } } }));
    expect(Item).to.deep.equal({
      Environment: { S: 'demo' },
      SensorDataTable: { S: outputs.SensorDataTable },
      ArchiveBucket: { S: outputs.ArchiveBucket },
    });
  });

  it('answers the outputs and the template’s exact bytes', async () => {
    expect(Object.keys(outputs).sort()).to.deep.equal(
      ['AccessKeyId', 'ArchiveBucket', 'KinesisStream', 'LambdaAPIFunction', 'Region', 'SecretAccessKey', 'SensorDataTable'].sort(),
    );
    expect(outputs.Region).to.equal('us-east-1');
    expect(outputs.KinesisStream).to.match(/^iot-cfn-EventStream-[A-Z0-9]{13}$/);
    expect(outputs.SensorDataTable).to.match(/^iot-cfn-SensorDataTable-[A-Z0-9]{13}$/);
    expect(outputs.SecretAccessKey).to.be.a('string').and.have.length.greaterThan(20);
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: STACK }));
    expect(TemplateBody).to.equal(templateBody);
  });

  it('removes the configuration when the custom resources are deleted (update without them)', async () => {
    const template = JSON.parse(templateBody);
    delete template.Resources.SensorDataTableConfig;
    delete template.Resources.ArchiveBucketConfig;
    await cfn.send(
      new UpdateStackCommand({
        StackName: STACK,
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [
          { ParameterKey: 'CodeBucket', UsePreviousValue: true },
          { ParameterKey: 'CodeKeyPrefix', UsePreviousValue: true },
        ],
      }),
    );
    const updated = await settledStack(cfn, STACK, 60_000);
    expect(updated.StackStatus, updated.StackStatusReason).to.equal('UPDATE_COMPLETE');
    const { Item } = await ddb.send(new GetItemCommand({ TableName: CONFIG_TABLE, Key: { Environment: { S: 'demo' } } }));
    expect(Item).to.deep.equal({ Environment: { S: 'demo' } });
  });

  it('fails to delete while the archive bucket holds objects, then deletes everything once it is emptied', async () => {
    await s3.send(new PutObjectCommand({ Bucket: outputs.ArchiveBucket, Key: 'archive/batch.json', Body: '{}' }));
    await cfn.send(new DeleteStackCommand({ StackName: STACK }));
    const failed = await settledStack(cfn, STACK, 60_000);
    expect(failed.StackStatus).to.equal('DELETE_FAILED');
    expect(failed.StackStatusReason).to.equal('The following resource(s) failed to delete: [ArchiveBucket].');

    await s3.send(new DeleteObjectCommand({ Bucket: outputs.ArchiveBucket, Key: 'archive/batch.json' }));
    await cfn.send(new DeleteStackCommand({ StackName: STACK }));
    const deleted = await settledStack(cfn, stack.StackId!, 60_000);
    expect(deleted.StackStatus).to.equal('DELETE_COMPLETE');

    const config = cloud.clientConfig();
    const kinesis = new KinesisClient(config);
    const lambda = new LambdaClient(config);
    const iam = new IAMClient(config);
    try {
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.deep.equal([]);
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).to.deep.equal([]);
      expect((await lambda.send(new ListFunctionsCommand({}))).Functions).to.deep.equal([]);
      expect((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings).to.deep.equal([]);
      expect((await iam.send(new ListRolesCommand({}))).Roles!.filter((r) => r.RoleName!.startsWith(STACK))).to.deep.equal([]);
      expect((await iam.send(new ListUsersCommand({}))).Users!.filter((u) => u.UserName!.startsWith(STACK))).to.deep.equal([]);
      const head = await s3.send(new HeadBucketCommand({ Bucket: outputs.ArchiveBucket })).catch((err) => err);
      expect(head.$metadata?.httpStatusCode).to.equal(404);
    } finally {
      kinesis.destroy();
      lambda.destroy();
      iam.destroy();
    }
  });
});
