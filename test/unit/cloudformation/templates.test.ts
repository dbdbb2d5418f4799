/**
 * The two templates against the reference architecture's resource list
 * (DESIGN.md §4): logical IDs, types, key properties, policies, parameters,
 * outputs, and the integrity of every reference.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../harness/build/build.js';

type Json = any; // templates are untyped JSON; the tests below are the schema

function loadTemplate(name: string): { text: string; template: Json } {
  const text = readFileSync(path.join(REPO_ROOT, 'cloudformation', name), 'utf8');
  return { text, template: JSON.parse(text) };
}

const main = loadTemplate('iot-backend.template');
const helper = loadTemplate('config-helper.template');
const resources = main.template.Resources;

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const ref = (name: string) => ({ Ref: name });
const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });
const tableArn = (id: string) => ({
  'Fn::Join': ['', ['arn:aws:dynamodb:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':table/', ref(id)]],
});
const lambdaTrust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
};
const KINESIS_MANAGED_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole';

/** Statements as (actions, resource) pairs, so a test reads like the policy table. */
function statements(policyDocument: Json): Array<[string[], Json]> {
  return policyDocument.Statement.map((s: Json) => {
    expect(s.Effect).to.equal('Allow');
    return [s.Action, s.Resource];
  });
}

function inlinePolicy(roleId: string, policyName: string): Json {
  const policies = resources[roleId].Properties.Policies;
  expect(policies.map((p: Json) => p.PolicyName)).to.deep.equal([policyName]);
  return policies[0].PolicyDocument;
}

/** Every intrinsic reference in `node`, as [kind, target] pairs. */
function references(node: Json, found: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(node)) {
    node.forEach((child) => references(child, found));
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries<Json>(node)) {
      if (key === 'Ref') found.push(['Ref', value]);
      else if (key === 'Fn::GetAtt') {
        const [id] = Array.isArray(value) ? value : String(value).split('.');
        found.push(['Fn::GetAtt', id]);
      } else if (key === 'Fn::Sub') {
        const [text, variables = {}] = Array.isArray(value) ? value : [value];
        for (const [, name] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const target = name!.split('.')[0]!;
          if (!(target in variables)) found.push(['Fn::Sub', target]);
        }
      }
      references(value, found);
    }
  }
  return found;
}

function expectReferencesResolve(template: Json): void {
  const known = new Set([...Object.keys(template.Parameters ?? {}), ...Object.keys(template.Resources), ...PSEUDO_PARAMETERS]);
  const refs = references({ Resources: template.Resources, Outputs: template.Outputs });
  expect(refs).to.not.be.empty;
  for (const [kind, target] of refs) {
    expect(known.has(target), `${kind} ${target} names no parameter, resource or pseudo parameter`).to.equal(true);
    if (kind === 'Fn::GetAtt') expect(template.Resources, `GetAtt on ${target}`).to.have.property(target);
  }
  for (const [id, resource] of Object.entries<Json>(template.Resources)) {
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      expect(template.Resources, `${id} DependsOn ${dependency}`).to.have.property(dependency);
    }
  }
}

describe('cloudformation templates', () => {
  for (const { name, loaded } of [
    { name: 'iot-backend.template', loaded: main },
    { name: 'config-helper.template', loaded: helper },
  ]) {
    it(`${name} is JSON with 2-space indentation and a trailing newline`, () => {
      expect(loaded.text).to.equal(`${JSON.stringify(loaded.template, null, 2)}\n`);
      expect(loaded.template.AWSTemplateFormatVersion).to.equal('2010-09-09');
    });

    it(`${name}: every Ref, GetAtt, Sub and DependsOn names something that exists`, () => {
      expectReferencesResolve(loaded.template);
    });

    it(`${name}: every function runs on nodejs22.x`, () => {
      const functions = Object.values<Json>(loaded.template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(functions).to.not.be.empty;
      for (const fn of functions) expect(fn.Properties.Runtime).to.equal('nodejs22.x');
    });
  }

  it('the reference check itself catches dangling Ref, GetAtt and Sub names', () => {
    const broken = (node: Json) => ({ Parameters: {}, Resources: { Thing: { Type: 'AWS::SNS::Topic', Properties: { X: node } } } });
    expect(() => expectReferencesResolve(broken({ Ref: 'Nope' }))).to.throw(/Ref Nope/);
    expect(() => expectReferencesResolve(broken({ 'Fn::GetAtt': ['Nope', 'Arn'] }))).to.throw(/GetAtt Nope/);
    expect(() => expectReferencesResolve(broken({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${Nope.Arn}' }))).to.throw(/Sub Nope/);
    // Sub's own variables and ${!Literal} escapes are not references.
    expect(() => expectReferencesResolve(broken({ 'Fn::Sub': ['${Local}-${!Literal}-${Thing}', { Local: 'v' }] }))).to.not.throw();
  });

  describe('iot-backend.template', () => {
    it('has the parameters CodeBucket and CodeKeyPrefix with the original defaults', () => {
      const { Parameters } = main.template;
      expect(Object.keys(Parameters)).to.deep.equal(['CodeBucket', 'CodeKeyPrefix']);
      expect(Parameters.CodeBucket).to.include({ Type: 'String', Default: 'awslambda-reference-architectures' });
      expect(Parameters.CodeKeyPrefix).to.include({ Type: 'String', Default: 'iot-backend' });
    });

    it('has exactly the resources of the reference architecture, each of its type', () => {
      const types = Object.fromEntries(Object.entries<Json>(resources).map(([id, r]) => [id, r.Type]));
      expect(types).to.deep.equal({
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
      });
    });

    it('test client: a bare user, its access key, and a policy to invoke the API and put to the stream', () => {
      expect(resources.TestClientUser).to.not.have.property('Properties');
      expect(resources.TestClientKeys.Properties).to.deep.equal({ UserName: ref('TestClientUser') });
      const policy = resources.TestClientPolicy.Properties;
      expect(policy.PolicyName).to.equal('IotClientPolicy');
      expect(policy.Users).to.deep.equal([ref('TestClientUser')]);
      expect(statements(policy.PolicyDocument)).to.deep.equal([
        [['lambda:InvokeFunction'], getAtt('ApiFunction', 'Arn')],
        [
          ['kinesis:Put*'],
          {
            'Fn::Join': [
              '',
              ['arn:aws:kinesis:', ref('AWS::Region'), ':', ref('AWS::AccountId'), ':stream/', ref('EventStream')],
            ],
          },
        ],
      ]);
    });

    it('stream with one shard; bucket without properties (its name derives from the stack name)', () => {
      expect(resources.EventStream.Properties).to.deep.equal({ ShardCount: 1 });
      expect(resources.ArchiveBucket).to.not.have.property('Properties');
    });

    it('SensorDataTable: SensorId (S) hash, Timestamp (S) range, provisioned 1/1', () => {
      const table = resources.SensorDataTable.Properties;
      expect(table).to.not.have.property('TableName');
      expect(table.AttributeDefinitions).to.deep.equal([
        { AttributeName: 'SensorId', AttributeType: 'S' },
        { AttributeName: 'Timestamp', AttributeType: 'S' },
      ]);
      expect(table.KeySchema).to.deep.equal([
        { AttributeName: 'SensorId', KeyType: 'HASH' },
        { AttributeName: 'Timestamp', KeyType: 'RANGE' },
      ]);
      // Strings, as in the original: CloudFormation converts them to numbers.
      expect(table.ProvisionedThroughput).to.deep.equal({ ReadCapacityUnits: '1', WriteCapacityUnits: '1' });
    });

    it('ConfigTable: named IoTRefArchConfig (hard-coded in the functions), Environment (S) hash, provisioned 1/1', () => {
      const table = resources.ConfigTable.Properties;
      expect(table.TableName).to.equal('IoTRefArchConfig');
      expect(table.AttributeDefinitions).to.deep.equal([{ AttributeName: 'Environment', AttributeType: 'S' }]);
      expect(table.KeySchema).to.deep.equal([{ AttributeName: 'Environment', KeyType: 'HASH' }]);
      expect(table.ProvisionedThroughput).to.deep.equal({ ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
    });

    const functions = [
      { id: 'ApiFunction', name: 'iot_api', role: 'ApiExecutionRole', described: ['sensorDataTable', 'SensorDataTable'] },
      {
        id: 'DdbCloudWatchEventProcessorFunction',
        name: 'iot_ddb_cw_eventprocessor',
        role: 'DdbCloudWatchProcessorRole',
        described: ['sensorDataTable', 'SensorDataTable'],
      },
      {
        id: 'EventArchiverFunction',
        name: 'iot_s3_eventprocessor',
        role: 'EventArchiverRole',
        described: ['archiveBucket', 'ArchiveBucket'],
      },
    ];
    for (const { id, name, role, described } of functions) {
      it(`${id}: ${name}.handler from <CodeKeyPrefix>/${name}.zip, 128 MB, 10 s, role ${role}`, () => {
        const props = resources[id].Properties;
        expect(props).to.deep.include({ Handler: `${name}.handler`, MemorySize: 128, Timeout: 10, Runtime: 'nodejs22.x' });
        expect(props.Role).to.deep.equal(getAtt(role, 'Arn'));
        expect(props.Code).to.deep.equal({
          S3Bucket: ref('CodeBucket'),
          S3Key: { 'Fn::Join': ['/', [ref('CodeKeyPrefix'), `${name}.zip`]] },
        });
        expect(props.Description).to.deep.equal({ 'Fn::Join': ['', [`{"${described[0]}": "`, ref(described[1]!), '"}']] });
      });
    }

    it('roles trust lambda.amazonaws.com', () => {
      for (const id of ['ApiExecutionRole', 'DdbCloudWatchProcessorRole', 'EventArchiverRole']) {
        expect(resources[id].Properties.AssumeRolePolicyDocument, id).to.deep.equal(lambdaTrust);
      }
    });

    it('ApiExecutionRole: logs, Query on SensorDataTable, GetItem on ConfigTable', () => {
      expect(statements(inlinePolicy('ApiExecutionRole', 'IoTAPIExecutionPolicy'))).to.deep.equal([
        [['logs:*'], 'arn:aws:logs:*:*:*'],
        [['dynamodb:Query'], tableArn('SensorDataTable')],
        [['dynamodb:GetItem'], tableArn('ConfigTable')],
      ]);
      expect(resources.ApiExecutionRole.Properties).to.not.have.property('ManagedPolicyArns');
    });

    it('DdbCloudWatchProcessorRole: logs, PutMetricData, BatchWriteItem + Query, GetItem, Kinesis managed policy', () => {
      expect(statements(inlinePolicy('DdbCloudWatchProcessorRole', 'IoTEventProcessorExecutionPolicy'))).to.deep.equal([
        [['logs:*'], 'arn:aws:logs:*:*:*'],
        [['cloudwatch:PutMetricData'], '*'],
        [['dynamodb:BatchWriteItem', 'dynamodb:Query'], tableArn('SensorDataTable')],
        [['dynamodb:GetItem'], tableArn('ConfigTable')],
      ]);
      expect(resources.DdbCloudWatchProcessorRole.Properties.ManagedPolicyArns).to.deep.equal([KINESIS_MANAGED_POLICY]);
    });

    it('EventArchiverRole: GetFunction, logs, PutObject in the bucket, GetItem, Kinesis managed policy', () => {
      expect(statements(inlinePolicy('EventArchiverRole', 'IoTEventProcessorExecutionPolicy'))).to.deep.equal([
        [['lambda:GetFunction'], '*'],
        [['logs:*'], 'arn:aws:logs:*:*:*'],
        [['s3:PutObject'], { 'Fn::Join': ['', ['arn:aws:s3:::', ref('ArchiveBucket'), '/*']] }],
        [['dynamodb:GetItem'], tableArn('ConfigTable')],
      ]);
      expect(resources.EventArchiverRole.Properties.ManagedPolicyArns).to.deep.equal([KINESIS_MANAGED_POLICY]);
    });

    it('event source mappings: stream to each processor from TRIM_HORIZON; batch size 25 for DynamoDB, default for the archiver', () => {
      expect(resources.DdbCloudWatchProcessorSourceMapping.Properties).to.deep.equal({
        FunctionName: ref('DdbCloudWatchEventProcessorFunction'),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 25,
        EventSourceArn: getAtt('EventStream', 'Arn'),
      });
      expect(resources.EventArchiverSourceMapping.Properties).to.deep.equal({
        FunctionName: ref('EventArchiverFunction'),
        StartingPosition: 'TRIM_HORIZON',
        EventSourceArn: getAtt('EventStream', 'Arn'),
      });
    });

    it('ConfigHelperStack: the helper template from https://s3.amazonaws.com/<CodeBucket>/<CodeKeyPrefix>/, 2 minute timeout', () => {
      const props = resources.ConfigHelperStack.Properties;
      expect(props.TimeoutInMinutes).to.equal(2);
      expect(props.Parameters).to.deep.equal({ ConfigTable: ref('ConfigTable') });
      const [delimiter, parts] = props.TemplateURL['Fn::Join'];
      const url = parts
        .map((part: Json) => (typeof part === 'string' ? part : `<${part.Ref}>`))
        .join(delimiter);
      expect(url).to.equal('https://s3.amazonaws.com/<CodeBucket>/<CodeKeyPrefix>/config-helper.template');
      expect(Object.keys(helper.template.Parameters)).to.deep.equal(Object.keys(props.Parameters));
    });

    it('config settings: demo entries SensorDataTable and ArchiveBucket through the helper stack\'s ServiceToken', () => {
      for (const [id, key] of [
        ['SensorDataTableConfig', 'SensorDataTable'],
        ['ArchiveBucketConfig', 'ArchiveBucket'],
      ] as const) {
        expect(resources[id].Properties, id).to.deep.equal({
          ServiceToken: getAtt('ConfigHelperStack', 'Outputs.ServiceToken'),
          Environment: 'demo',
          Key: key,
          Value: ref(key),
        });
      }
      expect(helper.template.Outputs).to.have.property('ServiceToken');
    });

    it('outputs: test client keys, API function, stream, region, bucket, table', () => {
      const values = Object.fromEntries(Object.entries<Json>(main.template.Outputs).map(([name, o]) => [name, o.Value]));
      expect(values).to.deep.equal({
        AccessKeyId: ref('TestClientKeys'),
        SecretAccessKey: getAtt('TestClientKeys', 'SecretAccessKey'),
        LambdaAPIFunction: ref('ApiFunction'),
        KinesisStream: ref('EventStream'),
        Region: ref('AWS::Region'),
        ArchiveBucket: ref('ArchiveBucket'),
        SensorDataTable: ref('SensorDataTable'),
      });
      for (const [name, output] of Object.entries<Json>(main.template.Outputs)) {
        expect(output.Description, name).to.be.a('string').that.is.not.empty;
      }
    });
  });

  describe('config-helper.template', () => {
    const helperResources = helper.template.Resources;

    it('has the parameter ConfigTable, the function and its role, and the ServiceToken output', () => {
      expect(helper.template.Parameters).to.deep.equal({
        ConfigTable: { Description: helper.template.Parameters.ConfigTable.Description, Type: 'String' },
      });
      expect(Object.fromEntries(Object.entries<Json>(helperResources).map(([id, r]) => [id, r.Type]))).to.deep.equal({
        AddConfigSetting: 'AWS::Lambda::Function',
        AddConfigExecutionRole: 'AWS::IAM::Role',
      });
      expect(helper.template.Outputs.ServiceToken.Value).to.deep.equal(getAtt('AddConfigSetting', 'Arn'));
    });

    it('AddConfigSetting: index.handler, 30 s, inline code within the 4096-character ZipFile limit', () => {
      const props = helperResources.AddConfigSetting.Properties;
      expect(props).to.deep.include({ Handler: 'index.handler', Timeout: 30, Runtime: 'nodejs22.x' });
      expect(props.Role).to.deep.equal(getAtt('AddConfigExecutionRole', 'Arn'));
      expect(props.Environment).to.deep.equal({ Variables: { CONFIG_TABLE: ref('ConfigTable') } });
      expect(props.Code.ZipFile).to.be.a('string');
      expect(props.Code.ZipFile.length).to.be.at.most(4096);
    });

    it('AddConfigExecutionRole: trusts lambda; policy root allows logging and UpdateItem on the config table', () => {
      const props = helperResources.AddConfigExecutionRole.Properties;
      expect(props.AssumeRolePolicyDocument).to.deep.equal(lambdaTrust);
      expect(props.Policies.map((p: Json) => p.PolicyName)).to.deep.equal(['root']);
      expect(statements(props.Policies[0].PolicyDocument)).to.deep.equal([
        [['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], 'arn:aws:logs:*:*:*'],
        [['dynamodb:UpdateItem'], tableArn('ConfigTable')],
      ]);
    });
  });
});
