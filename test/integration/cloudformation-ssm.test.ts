import { expect } from 'chai';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, GetParameterCommand, ListTagsForResourceCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { settledStack } from './cloudformation-support.js';

const json = (template: unknown) => JSON.stringify(template);

/** A stack whose only resource copies `value` into a parameter, so what CloudFormation resolved can be read back. */
const copyTemplate = (value: unknown, parameters: Record<string, unknown> = {}) =>
  json({
    Parameters: parameters,
    Resources: { Copy: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: value } } },
    Outputs: { Copied: { Value: { 'Fn::GetAtt': ['Copy', 'Value'] } }, Name: { Value: { Ref: 'Copy' } } },
  });

describe('CloudFormation with SSM Parameter Store', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let ssm: SSMClient;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    ssm = new SSMClient(cloud.clientConfig());
    await ssm.send(new PutParameterCommand({ Name: '/cfg/host', Value: 'db-v1', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/cfg/host', Value: 'db-v2', Type: 'String', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/cfg/zones', Value: 'a, b,c', Type: 'StringList' }));
    await ssm.send(new PutParameterCommand({ Name: '/cfg/secret', Value: 'pw', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: '/cfg/ami', Value: 'ami-0123456789abcdef0', Type: 'String', DataType: 'aws:ec2:image' }));
  });
  after(async () => {
    cfn?.destroy();
    ssm?.destroy();
    await cloud?.stop();
  });

  const outputs = async (stackName: string) => {
    const stack = await settledStack(cfn, stackName);
    expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
    return Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
  };

  it('creates AWS::SSM::Parameter (Ref = name, GetAtt Type/Value, tags as a map) and deletes it with the stack', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'params',
        TemplateBody: json({
          Resources: {
            Named: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/stack/named', Type: 'StringList', Value: 'x,y', Description: 'd', Tags: { team: 'iot' } } },
            Unnamed: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'anon' } },
          },
          Outputs: {
            Ref: { Value: { Ref: 'Named' } },
            Type: { Value: { 'Fn::GetAtt': ['Named', 'Type'] } },
            Value: { Value: { 'Fn::GetAtt': ['Named', 'Value'] } },
            Generated: { Value: { Ref: 'Unnamed' } },
          },
        }),
      }),
    );
    const out = await outputs('params');
    expect(out).to.include({ Ref: '/stack/named', Type: 'StringList', Value: 'x,y' });
    expect(out.Generated).to.match(/^CFN-Unnamed-[A-Za-z0-9]{12}$/);
    expect((await ssm.send(new GetParameterCommand({ Name: '/stack/named' }))).Parameter).to.include({ Type: 'StringList', Value: 'x,y' });
    const { TagList } = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/stack/named' }));
    expect(TagList).to.deep.equal([{ Key: 'team', Value: 'iot' }]);

    await cfn.send(new DeleteStackCommand({ StackName: 'params' }));
    await settledStack(cfn, 'params').catch(() => undefined);
    await expectAwsError(ssm.send(new GetParameterCommand({ Name: '/stack/named' })), 'ParameterNotFound');
    await expectAwsError(ssm.send(new GetParameterCommand({ Name: out.Generated! })), 'ParameterNotFound');
  });

  it('refuses a SecureString AWS::SSM::Parameter, as CloudFormation does', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'secure-param',
        TemplateBody: json({ Resources: { S: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/s', Type: 'SecureString', Value: 'x' } } } }),
      }),
    );
    const stack = await settledStack(cfn, 'secure-param');
    expect(stack.StackStatus).to.equal('ROLLBACK_COMPLETE');
  });

  it('resolves AWS::SSM::Parameter::Value<String>, <List<String>>, <CommaDelimitedList> and <AWS::EC2::Image::Id>, showing ResolvedValue', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'typed',
        TemplateBody: json({
          Parameters: {
            Host: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cfg/host' },
            Zones: { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/cfg/zones' },
            Csv: { Type: 'AWS::SSM::Parameter::Value<CommaDelimitedList>', Default: '/cfg/zones' },
            Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' },
            Name: { Type: 'AWS::SSM::Parameter::Name', Default: '/cfg/host' },
          },
          Resources: { Copy: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { 'Fn::Join': ['|', [{ Ref: 'Host' }, { 'Fn::Select': [1, { Ref: 'Zones' }] }, { 'Fn::Select': [2, { Ref: 'Csv' }] }, { Ref: 'Ami' }, { Ref: 'Name' }]] } } } },
          Outputs: { Copied: { Value: { 'Fn::GetAtt': ['Copy', 'Value'] } } },
        }),
        Parameters: [{ ParameterKey: 'Ami', ParameterValue: '/cfg/ami' }],
      }),
    );
    expect((await outputs('typed')).Copied).to.equal('db-v2|b|c|ami-0123456789abcdef0|/cfg/host');
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'typed' }));
    const shown = Object.fromEntries(Stacks![0]!.Parameters!.map((p) => [p.ParameterKey, [p.ParameterValue, p.ResolvedValue]]));
    expect(shown).to.deep.include({ Host: ['/cfg/host', 'db-v2'], Zones: ['/cfg/zones', 'a, b,c'], Ami: ['/cfg/ami', 'ami-0123456789abcdef0'] });
    expect(shown.Name).to.deep.equal(['/cfg/host', undefined]);

    // An update re-reads Parameter Store: a changed value is a change to deploy.
    await ssm.send(new PutParameterCommand({ Name: '/cfg/host', Value: 'db-v3', Overwrite: true }));
    await cfn.send(new UpdateStackCommand({ StackName: 'typed', UsePreviousTemplate: true, Parameters: [{ ParameterKey: 'Ami', UsePreviousValue: true }] }));
    const updated = await settledStack(cfn, 'typed');
    expect(updated.StackStatus, updated.StackStatusReason).to.equal('UPDATE_COMPLETE');
    expect(updated.Outputs!.find((o) => o.OutputKey === 'Copied')!.OutputValue).to.match(/^db-v3\|/);
  });

  it('updates a stack away from a Parameter Store entry deleted since it was deployed', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/cfg/short-lived', Value: 'here', Type: 'String' }));
    await cfn.send(
      new CreateStackCommand({
        StackName: 'outlived',
        TemplateBody: copyTemplate({ Ref: 'P' }, { P: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cfg/short-lived' } }),
      }),
    );
    expect((await outputs('outlived')).Copied).to.equal('here');
    await ssm.send(new DeleteParameterCommand({ Name: '/cfg/short-lived' }));
    await cfn.send(new UpdateStackCommand({ StackName: 'outlived', TemplateBody: copyTemplate('plain now') }));
    const updated = await settledStack(cfn, 'outlived');
    expect(updated.StackStatus, updated.StackStatusReason).to.equal('UPDATE_COMPLETE');
    expect(updated.Outputs!.find((o) => o.OutputKey === 'Copied')!.OutputValue).to.equal('plain now');
  });

  it('the CDK bootstrap check: BootstrapVersion resolves when the parameter exists and fails with AWS\'s message when not', async () => {
    const template = json({
      Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
      Resources: { Copy: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: { Ref: 'BootstrapVersion' } } } },
    });
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'cdk-app', TemplateBody: template })),
      'ValidationError',
      400,
      /^Unable to fetch parameters \[\/cdk-bootstrap\/hnb659fds\/version\] from parameter store for this account\.$/,
    );
    // `cdk deploy` goes through a change set: the same check, on CreateChangeSet.
    await expectAwsError(
      cfn.send(new CreateChangeSetCommand({ StackName: 'cdk-app', ChangeSetName: 'cdk-deploy-change-set', ChangeSetType: 'CREATE', TemplateBody: template })),
      'ValidationError',
      400,
      /^Unable to fetch parameters \[\/cdk-bootstrap\/hnb659fds\/version\] from parameter store for this account\.$/,
    );
    await ssm.send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '21', Type: 'String' }));
    await cfn.send(new CreateChangeSetCommand({ StackName: 'cdk-app', ChangeSetName: 'cdk-deploy-change-set', ChangeSetType: 'CREATE', TemplateBody: template }));
    await waitUntilChangeSetCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StackName: 'cdk-app', ChangeSetName: 'cdk-deploy-change-set' });
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'cdk-app', ChangeSetName: 'cdk-deploy-change-set' }));
    const stack = await settledStack(cfn, 'cdk-app');
    expect(stack.StackStatus).to.equal('CREATE_COMPLETE');
    expect(stack.Parameters).to.deep.equal([{ ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/hnb659fds/version', ResolvedValue: '21' }]);
  });

  it('refuses SecureString values and missing names for parameter types', async () => {
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'bad-type', TemplateBody: copyTemplate({ Ref: 'S' }, { S: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cfg/secret' } }) })),
      'ValidationError',
      400,
      /Parameters \[\/cfg\/secret\] referenced by template have types not supported by CloudFormation/,
    );
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'bad-name', TemplateBody: copyTemplate({ Ref: 'N' }, { N: { Type: 'AWS::SSM::Parameter::Name', Default: '/cfg/none' } }) })),
      'ValidationError',
      400,
      /Unable to fetch parameters \[\/cfg\/none\]/,
    );
  });

  it('resolves {{resolve:ssm:...}} anywhere in properties: latest, pinned version, inside a string, built by Fn::Sub', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'dyn-latest', TemplateBody: copyTemplate('host={{resolve:ssm:/cfg/host}};v1={{resolve:ssm:/cfg/host:1}}') }));
    expect((await outputs('dyn-latest')).Copied).to.match(/^host=db-v\d;v1=db-v1$/);

    await cfn.send(
      new CreateStackCommand({
        StackName: 'dyn-sub',
        TemplateBody: copyTemplate({ 'Fn::Sub': ['{{resolve:ssm:/cfg/${Leaf}}}', { Leaf: 'zones' }] }),
      }),
    );
    expect((await outputs('dyn-sub')).Copied).to.equal('a, b,c');
  });

  it('refuses missing references at submission, and ssm-secure / secretsmanager where AWS or localcloud cannot take them', async () => {
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'dyn-missing', TemplateBody: copyTemplate('{{resolve:ssm:/cfg/none}}') })),
      'ValidationError',
      400,
      /^Parameters: \[ssm:\/cfg\/none\] cannot be found\.$/,
    );
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'dyn-version', TemplateBody: copyTemplate('{{resolve:ssm:/cfg/host:99}}') })),
      'ValidationError',
      400,
      /cannot be found/,
    );
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'dyn-secure', TemplateBody: copyTemplate('{{resolve:ssm-secure:/cfg/secret}}') })),
      'ValidationError',
      400,
      /^SSM Secure reference is not supported in: \[AWS::SSM::Parameter\/Properties\/Value\]$/,
    );
    await expectAwsError(
      cfn.send(new CreateStackCommand({ StackName: 'dyn-sm', TemplateBody: copyTemplate('{{resolve:secretsmanager:MySecret:SecretString:password}}') })),
      'ValidationError',
      400,
      /no Secrets Manager/,
    );
    // A SecureString read through plain `ssm` would leak it into a property: refused at provisioning.
    await cfn.send(new CreateStackCommand({ StackName: 'dyn-leak', TemplateBody: copyTemplate('{{resolve:ssm:/cfg/secret}}') }));
    const leaked = await settledStack(cfn, 'dyn-leak');
    expect(leaked.StackStatus).to.equal('ROLLBACK_COMPLETE');
  });
});
