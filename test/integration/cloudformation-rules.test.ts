/**
 * CloudFormation's Rules section and what every CDK app's template holds:
 * rule assertions judged before anything is created or updated (their
 * AssertDescription is the refusal's message), the rule functions, and the
 * `AWS::CDK::Metadata` resource, which provisions nothing on AWS either.
 */
import { readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourceCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { settledStack } from './cloudformation-support.js';

const CDK_TEMPLATE = readFileSync(new URL('../fixtures/cloudformation/cdk-app.template.json', import.meta.url), 'utf8');
const BOOTSTRAP_MESSAGE = "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.";

/** The CDK template with BootstrapVersion as a plain String (SSM parameter types come later). */
function cdkTemplateWithStringBootstrapVersion(): string {
  const template = JSON.parse(CDK_TEMPLATE);
  template.Parameters.BootstrapVersion.Type = 'String';
  return JSON.stringify(template);
}

const json = (template: unknown) => JSON.stringify(template);
const params = (values: Record<string, string>): Parameter[] =>
  Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/** A template with the given rules over two parameters, and one harmless resource. */
function ruleTemplate(rules: unknown, parameters: Record<string, unknown> = {}) {
  return json({
    Parameters: {
      Env: { Type: 'String', Default: 'dev' },
      Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
      ...parameters,
    },
    Rules: rules,
    Resources: { Meta: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:none' } } },
  });
}

describe('CloudFormation Rules and CDK templates', function () {
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  let counter = 0;
  const stackName = () => `rules-${++counter}`;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
  });
  after(async () => {
    cfn.destroy();
    s3.destroy();
    await cloud.stop();
  });

  describe('a CDK-synthesized template', () => {
    it('deploys with a bootstrap version the rule accepts: the bucket is made, CDKMetadata is a no-op with a UUID', async () => {
      const name = stackName();
      const { StackId } = await cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: cdkTemplateWithStringBootstrapVersion(),
          Parameters: params({ BootstrapVersion: '21' }),
        }),
      );
      const stack = await settledStack(cfn, name);
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
      const bucket = stack.Outputs!.find((o) => o.OutputKey === 'BucketName')!.OutputValue!;
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));

      const { StackResourceDetail: metadata } = await cfn.send(
        new DescribeStackResourceCommand({ StackName: name, LogicalResourceId: 'CDKMetadata' }),
      );
      expect(metadata!.ResourceType).to.equal('AWS::CDK::Metadata');
      expect(metadata!.ResourceStatus).to.equal('CREATE_COMPLETE');
      expect(metadata!.PhysicalResourceId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      await cfn.send(new DeleteStackCommand({ StackName: name }));
      expect((await settledStack(cfn, StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
    });

    it('skips CDKMetadata where its condition says the region has no CDK analytics', async () => {
      const local = new CloudFormationClient(cloud.clientConfig('us-gov-west-1'));
      try {
        const name = stackName();
        await local.send(
          new CreateStackCommand({ StackName: name, TemplateBody: cdkTemplateWithStringBootstrapVersion(), Parameters: params({ BootstrapVersion: '21' }) }),
        );
        expect((await settledStack(local, name)).StackStatus).to.equal('CREATE_COMPLETE');
        const { StackResourceSummaries } = await local.send(new ListStackResourcesCommand({ StackName: name }));
        expect(StackResourceSummaries!.map((r) => r.LogicalResourceId)).to.deep.equal(['UploadsBucketA1B2C3D4']);
      } finally {
        local.destroy();
      }
    });

    it('is refused with the AssertDescription when the bootstrap version is too old; nothing is created', async () => {
      const name = stackName();
      await expectAwsError(
        cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: cdkTemplateWithStringBootstrapVersion(), Parameters: params({ BootstrapVersion: '5' }) })),
        'ValidationError',
        400,
        new RegExp(`^${BOOTSTRAP_MESSAGE.replace(/[.'()]/g, '\\$&')}$`),
      );
      await expectAwsError(cfn.send(new DescribeStackResourceCommand({ StackName: name, LogicalResourceId: 'CDKMetadata' })), 'ValidationError', 400, /does not exist/);
    });

    it('as synthesized, reads BootstrapVersion from SSM Parameter Store: refused with AWS\'s message until the bootstrap parameter exists, then deployed', async () => {
      await expectAwsError(
        cfn.send(new CreateStackCommand({ StackName: stackName(), TemplateBody: CDK_TEMPLATE })),
        'ValidationError',
        400,
        /^Unable to fetch parameters \[\/cdk-bootstrap\/hnb659fds\/version\] from parameter store for this account\.$/,
      );
      const ssm = new SSMClient(cloud.clientConfig());
      try {
        await ssm.send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Type: 'String', Value: '21', Overwrite: true }));
        const name = stackName();
        await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: CDK_TEMPLATE }));
        const stack = await settledStack(cfn, name);
        expect(stack.StackStatus).to.equal('CREATE_COMPLETE');
        expect(stack.Parameters?.find((p) => p.ParameterKey === 'BootstrapVersion')?.ResolvedValue).to.equal('21');
      } finally {
        await ssm.send(new DeleteParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' })).catch(() => undefined);
        ssm.destroy();
      }
    });

    it('passes ValidateTemplate, Rules and all', async () => {
      const { Parameters } = await cfn.send(new ValidateTemplateCommand({ TemplateBody: CDK_TEMPLATE }));
      expect(Parameters!.map((p) => p.ParameterKey)).to.deep.equal(['BootstrapVersion']);
    });
  });

  describe('rules', () => {
    async function refusal(template: string, values: Record<string, string> = {}) {
      return expectAwsError(
        cfn.send(new CreateStackCommand({ StackName: stackName(), TemplateBody: template, Parameters: params(values) })),
        'ValidationError',
        400,
      );
    }
    async function accepted(template: string, values: Record<string, string> = {}) {
      const name = stackName();
      await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: template, Parameters: params(values) }));
      const stack = await settledStack(cfn, name);
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
      return name;
    }

    const prodNeedsThreeZones = {
      ProdZones: {
        RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        Assertions: [
          { Assert: { 'Fn::EachMemberIn': [{ Ref: 'Zones' }, ['a', 'b', 'c']] }, AssertDescription: 'Zones must be among a, b and c' },
          {
            Assert: { 'Fn::Not': [{ 'Fn::EachMemberEquals': [{ Ref: 'Zones' }, 'a'] }] },
            AssertDescription: 'Production must not run in zone a alone',
          },
        ],
      },
    };

    it('skip their assertions when the RuleCondition is false', async () => {
      await accepted(ruleTemplate(prodNeedsThreeZones), { Env: 'dev', Zones: 'x,y' });
    });

    it('apply their assertions, in order, when the RuleCondition holds', async () => {
      const first = await refusal(ruleTemplate(prodNeedsThreeZones), { Env: 'prod', Zones: 'a,x' });
      expect(first.message).to.equal('Zones must be among a, b and c');
      const second = await refusal(ruleTemplate(prodNeedsThreeZones), { Env: 'prod', Zones: 'a,a' });
      expect(second.message).to.equal('Production must not run in zone a alone');
      await accepted(ruleTemplate(prodNeedsThreeZones), { Env: 'prod', Zones: 'a,c' });
    });

    it('evaluate Fn::And, Fn::Or, Fn::Contains and Fn::Equals on parameter values and pseudo parameters', async () => {
      const rules = {
        Mixed: {
          Assertions: [
            {
              Assert: {
                'Fn::And': [
                  { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, { 'Fn::Contains': [['test', 'stage'], { Ref: 'Env' }] }] },
                  { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
                ],
              },
              AssertDescription: 'Env must be dev, test or stage, in us-east-1',
            },
          ],
        },
      };
      await accepted(ruleTemplate(rules), { Env: 'stage' });
      expect((await refusal(ruleTemplate(rules), { Env: 'prod' })).message).to.equal('Env must be dev, test or stage, in us-east-1');
    });

    it('without an AssertDescription, name the rule', async () => {
      const rules = { NoProd: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }] } }] } };
      expect((await refusal(ruleTemplate(rules), { Env: 'prod' })).message).to.equal('Template error: Assertion failed for rule NoProd');
    });

    it('are judged on UpdateStack too, which leaves the stack as it was', async () => {
      const rules = { NoProd: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }] }, AssertDescription: 'not prod' }] } };
      const name = await accepted(ruleTemplate(rules), { Env: 'dev' });
      const err = await expectAwsError(
        cfn.send(new UpdateStackCommand({ StackName: name, TemplateBody: ruleTemplate(rules), Parameters: params({ Env: 'prod' }) })),
        'ValidationError',
        400,
      );
      expect(err.message).to.equal('not prod');
      expect((await settledStack(cfn, name)).StackStatus).to.equal('CREATE_COMPLETE');
    });

    it('refuse functions that are not rule functions, and references to resources, at ValidateTemplate', async () => {
      const withIf = ruleTemplate({ Bad: { Assertions: [{ Assert: { 'Fn::If': ['X', true, false] } }] } });
      await expectAwsError(cfn.send(new ValidateTemplateCommand({ TemplateBody: withIf })), 'ValidationError', 400, /unsupported function in the Rules section: Fn::If/);
      const toResource = ruleTemplate({ Bad: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'Meta' }, 'x'] } }] } });
      await expectAwsError(cfn.send(new ValidateTemplateCommand({ TemplateBody: toResource })), 'ValidationError', 400, /Unresolved dependencies \[Meta\]\. Rules can only reference parameters/);
      const noAssertions = ruleTemplate({ Bad: { RuleCondition: { 'Fn::Equals': ['a', 'a'] } } });
      await expectAwsError(cfn.send(new ValidateTemplateCommand({ TemplateBody: noAssertions })), 'ValidationError', 400, /Template format error: .*Assertions/);
    });

    it('refuse Fn::RefAll / Fn::ValueOf, which read EC2 resources this cloud does not have, with a message that says so', async () => {
      const rules = {
        Vpcs: { Assertions: [{ Assert: { 'Fn::EachMemberIn': [{ 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'VpcId'] }, { 'Fn::RefAll': 'AWS::EC2::VPC::Id' }] } }] },
      };
      const err = await refusal(ruleTemplate(rules));
      expect(err.message).to.match(/^Template error: .*Fn::ValueOfAll reads the account's resources .* not serve/);
    });
  });
});
