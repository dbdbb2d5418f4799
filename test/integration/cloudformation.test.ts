/**
 * The CloudFormation engine through its public API: stack lifecycle, events,
 * the template language, ordering and parallelism, rollback, updates, change
 * sets, nested stacks and persistence. Most templates use a fake resource
 * type (registered only here) so the engine is tested on its own; S3 buckets
 * stand in where a real service's behaviour matters.
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListChangeSetsCommand,
  ListExportsCommand,
  ListImportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  type ResourceChangeDetail,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { rejection } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { cloudFormationService, eventLines, eventsOf, registerFakeType, settledStack, type FakeCall } from './cloudformation-support.js';

const json = (template: unknown) => JSON.stringify(template, null, 2);

describe('CloudFormation', function () {
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  const calls: FakeCall[] = [];

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    registerFakeType(cloud, calls);
  });
  after(async () => {
    cfn.destroy();
    s3.destroy();
    await cloud.stop();
  });
  beforeEach(() => (calls.length = 0));

  async function deploy(stackName: string, template: unknown, extra: Record<string, unknown> = {}) {
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: typeof template === 'string' ? template : json(template), ...extra }));
    return settledStack(cfn, stackName);
  }

  describe('stack lifecycle', () => {
    const template = {
      Description: 'two things',
      Parameters: { Greeting: { Type: 'String', Default: 'hello' } },
      Resources: {
        First: { Type: 'Test::Thing', Properties: { Label: { Ref: 'Greeting' } } },
        Second: { Type: 'Test::Thing', Properties: { Label: { 'Fn::GetAtt': ['First', 'Value'] } } },
      },
      Outputs: { SecondName: { Value: { Ref: 'Second' }, Description: 'the second' } },
    };

    it('creates a stack that the SDK waiter sees complete, with an event for every transition', async () => {
      const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'lifecycle', TemplateBody: json(template) }));
      expect(StackId).to.match(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/lifecycle\/[0-9a-f-]{36}$/);
      const result = await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: 'lifecycle' });
      expect(result.state).to.equal('SUCCESS');

      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'lifecycle' }))).Stacks![0]!;
      expect(stack).to.include({ StackName: 'lifecycle', StackStatus: 'CREATE_COMPLETE', Description: 'two things', DisableRollback: false });
      expect(stack.CreationTime).to.be.instanceOf(Date);
      expect(stack.Parameters).to.deep.equal([{ ParameterKey: 'Greeting', ParameterValue: 'hello' }]);
      expect(stack.Outputs![0]).to.include({ OutputKey: 'SecondName', Description: 'the second' });
      expect(stack.Outputs![0]!.OutputValue).to.match(/^lifecycle-Second-[A-Z0-9]{13}$/);

      expect(await eventLines(cfn, 'lifecycle')).to.deep.equal([
        'lifecycle CREATE_IN_PROGRESS',
        'First CREATE_IN_PROGRESS',
        'First CREATE_COMPLETE',
        'Second CREATE_IN_PROGRESS',
        'Second CREATE_COMPLETE',
        'lifecycle CREATE_COMPLETE',
      ]);
      const events = await eventsOf(cfn, 'lifecycle');
      expect(events[0]).to.include({ StackId, StackName: 'lifecycle', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatusReason: 'User Initiated' });
      const secondInProgress = events.find((e) => e.LogicalResourceId === 'Second' && e.ResourceStatus === 'CREATE_IN_PROGRESS')!;
      expect(JSON.parse(secondInProgress.ResourceProperties!)).to.deep.equal({ Label: 'value-unnamed' });
      for (const event of events) expect(event.EventId).to.be.a('string').and.not.empty;
      expect(events.find((e) => e.LogicalResourceId === 'First' && e.ResourceStatus === 'CREATE_COMPLETE')!.PhysicalResourceId).to.match(
        /^lifecycle-First-[A-Z0-9]{13}$/,
      );
    });

    it('describes and lists resources', async () => {
      const { StackResourceDetail } = await cfn.send(new DescribeStackResourceCommand({ StackName: 'lifecycle', LogicalResourceId: 'First' }));
      expect(StackResourceDetail).to.include({ LogicalResourceId: 'First', ResourceType: 'Test::Thing', ResourceStatus: 'CREATE_COMPLETE' });
      const { StackResources } = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'lifecycle' }));
      expect(StackResources!.map((r) => r.LogicalResourceId).sort()).to.deep.equal(['First', 'Second']);
      // By physical ID: which stack the resource belongs to, and what else is in it (as AWS documents).
      const byPhysical = await cfn.send(new DescribeStackResourcesCommand({ PhysicalResourceId: StackResourceDetail!.PhysicalResourceId }));
      expect(byPhysical.StackResources!.map((r) => r.LogicalResourceId).sort()).to.deep.equal(['First', 'Second']);
      const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'lifecycle' }));
      expect(StackResourceSummaries!.every((r) => r.PhysicalResourceId && r.ResourceStatus === 'CREATE_COMPLETE')).to.equal(true);
      const { StackSummaries } = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE'] }));
      expect(StackSummaries!.map((s) => s.StackName)).to.include('lifecycle');
      const missing = await rejection(cfn.send(new DescribeStackResourceCommand({ StackName: 'lifecycle', LogicalResourceId: 'Nope' })));
      expect(missing.name).to.equal('ValidationError');
    });

    it('returns the template exactly as submitted', async () => {
      const body = `{\n  "Description" : "spacing,  unicode ✓ <xml> & \\"quotes\\"",\n\t"Resources": {"A": {"Type": "Test::Thing"}}\n}\n\n`;
      await deploy('exact-bytes', body);
      const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: 'exact-bytes' }));
      expect(TemplateBody).to.equal(body);
    });

    it('refuses a second stack of the same name, and bad names', async () => {
      const again = await rejection(cfn.send(new CreateStackCommand({ StackName: 'lifecycle', TemplateBody: json(template) })));
      expect(again.name).to.equal('AlreadyExistsException');
      expect(again.message).to.equal('Stack [lifecycle] already exists');
      for (const name of ['1starts-with-digit', 'has_underscore', 'x'.repeat(129)]) {
        const bad = await rejection(cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: json(template) })));
        expect(bad.name, name).to.equal('ValidationError');
        expect(bad.message).to.include('[a-zA-Z][-a-zA-Z0-9]*');
      }
    });

    it('answers "Stack with id X does not exist" for unknown stacks', async () => {
      const err = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'no-such-stack' })));
      expect(err.name).to.equal('ValidationError');
      expect(err.message).to.equal('Stack with id no-such-stack does not exist');
      expect(err.$metadata?.httpStatusCode).to.equal(400);
    });

    it('deletes in reverse dependency order; the deleted stack answers by ID only', async () => {
      const { StackId } = (await cfn.send(new DescribeStacksCommand({ StackName: 'lifecycle' }))).Stacks![0]!;
      await cfn.send(new DeleteStackCommand({ StackName: 'lifecycle' }));
      await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: 'lifecycle' });
      const deletes = calls.filter((c) => c.action === 'delete').map((c) => c.logicalId);
      expect(deletes).to.deep.equal(['Second', 'First']);
      const byId = (await cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks![0]!;
      expect(byId.StackStatus).to.equal('DELETE_COMPLETE');
      expect(byId.DeletionTime).to.be.instanceOf(Date);
      const byName = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'lifecycle' })));
      expect(byName.message).to.equal('Stack with id lifecycle does not exist');
      // Deleting again is not an error, as on AWS.
      await cfn.send(new DeleteStackCommand({ StackName: 'lifecycle' }));
      // The name is free again.
      expect((await deploy('lifecycle', template)).StackStatus).to.equal('CREATE_COMPLETE');
    });
  });

  describe('the template language through the engine', () => {
    it('evaluates parameters, mappings, conditions, pseudo parameters and every intrinsic function', async () => {
      const template = {
        Parameters: {
          Env: { Type: 'String', AllowedValues: ['dev', 'prod'], Default: 'dev' },
          Sizes: { Type: 'CommaDelimitedList', Default: 'small, medium,large' },
          Count: { Type: 'Number', Default: 3, MinValue: 1 },
          Secret: { Type: 'String', NoEcho: true, Default: 'hunter2' },
        },
        Mappings: { ByEnv: { dev: { Tier: 'bronze' }, prod: { Tier: 'gold' } } },
        Conditions: {
          IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
          IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
          DevWithThree: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'Count' }, 3] }] },
        },
        Resources: {
          Base: { Type: 'Test::Thing', Properties: { Name: 'base' } },
          OnlyInProd: { Type: 'Test::Thing', Condition: 'IsProd' },
          Probe: {
            Type: 'Test::Thing',
            Properties: {
              Join: { 'Fn::Join': ['-', ['a', { Ref: 'Env' }, { 'Fn::GetAtt': ['Base', 'Value'] }]] },
              Sub: { 'Fn::Sub': '${AWS::StackName}/${AWS::Region}/${AWS::AccountId}/${Base}/${Base.Value}/${!Literal}' },
              SubWithVariables: { 'Fn::Sub': ['${X}-${Env}', { X: { 'Fn::FindInMap': ['ByEnv', { Ref: 'Env' }, 'Tier'] } }] },
              Select: { 'Fn::Select': [1, { Ref: 'Sizes' }] },
              Split: { 'Fn::Split': [',', 'x,y,z'] },
              Azs: { 'Fn::GetAZs': '' },
              Base64: { 'Fn::Base64': 'hi' },
              If: { 'Fn::If': ['IsProd', { Ref: 'OnlyInProd' }, 'not-prod'] },
              Gone: { 'Fn::If': ['IsProd', 'kept', { Ref: 'AWS::NoValue' }] },
              Both: { 'Fn::If': ['DevWithThree', 'yes', 'no'] },
              Count: { Ref: 'Count' },
              Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] },
              Partition: { Ref: 'AWS::Partition' },
              Suffix: { Ref: 'AWS::URLSuffix' },
              StackId: { Ref: 'AWS::StackId' },
            },
          },
        },
        Outputs: {
          Tier: { Value: { 'Fn::FindInMap': ['ByEnv', { Ref: 'Env' }, 'Tier'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-tier' } } },
          ProdOnly: { Value: 'x', Condition: 'IsProd' },
        },
      };
      const stack = await deploy('intrinsics', template);
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
      const probe = calls.find((c) => c.logicalId === 'Probe')!.properties;
      expect(probe).to.deep.equal({
        Join: 'a-dev-value-base',
        Sub: 'intrinsics/us-east-1/000000000000/base/value-base/${Literal}',
        SubWithVariables: 'bronze-dev',
        Select: 'medium',
        Split: ['x', 'y', 'z'],
        Azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
        Base64: 'aGk=',
        If: 'not-prod',
        Both: 'yes',
        Count: '3',
        Cidr: ['10.0.0.0/24', '10.0.1.0/24'],
        Partition: 'aws',
        Suffix: 'amazonaws.com',
        StackId: stack.StackId,
      });
      expect(calls.some((c) => c.logicalId === 'OnlyInProd')).to.equal(false);
      expect(stack.Outputs).to.deep.equal([{ OutputKey: 'Tier', OutputValue: 'bronze', ExportName: 'intrinsics-tier' }]);
      expect(stack.Parameters!.find((p) => p.ParameterKey === 'Secret')!.ParameterValue).to.equal('****');

      const { Exports } = await cfn.send(new ListExportsCommand({}));
      expect(Exports).to.deep.include({ ExportingStackId: stack.StackId, Name: 'intrinsics-tier', Value: 'bronze' });
      const importer = await deploy('importer', {
        Resources: { Thing: { Type: 'Test::Thing', Properties: { Imported: { 'Fn::ImportValue': 'intrinsics-tier' } } } },
      });
      expect(importer.StackStatus).to.equal('CREATE_COMPLETE');
      expect(calls.find((c) => c.logicalId === 'Thing')!.properties.Imported).to.equal('bronze');
      expect((await cfn.send(new ListImportsCommand({ ExportName: 'intrinsics-tier' }))).Imports).to.deep.equal(['importer']);
      const inUse = await rejection(cfn.send(new DeleteStackCommand({ StackName: 'intrinsics' })));
      expect(inUse.message).to.equal('Export intrinsics-tier cannot be deleted as it is in use by importer');

      const prod = await deploy('intrinsics-prod', template, { Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }] });
      expect(prod.StackStatus).to.equal('CREATE_COMPLETE');
      expect(prod.Outputs!.map((o) => o.OutputKey)).to.have.members(['Tier', 'ProdOnly']);
      const prodProbe = calls.filter((c) => c.logicalId === 'Probe').at(-1)!.properties;
      expect(prodProbe.If).to.match(/^intrinsics-prod-OnlyInProd-/);
      expect(prodProbe.Gone).to.equal('kept');
      expect(prodProbe.Both).to.equal('no');
    });

    it('rejects parameters that break their constraints', async () => {
      const template = { Parameters: { Env: { Type: 'String', AllowedValues: ['dev', 'prod'] } }, Resources: { A: { Type: 'Test::Thing' } } };
      const bad = await rejection(
        cfn.send(new CreateStackCommand({ StackName: 'bad-param', TemplateBody: json(template), Parameters: [{ ParameterKey: 'Env', ParameterValue: 'qa' }] })),
      );
      expect(bad.name).to.equal('ValidationError');
      expect(bad.message).to.equal("Parameter 'Env' must be one of AllowedValues");
      const missing = await rejection(cfn.send(new CreateStackCommand({ StackName: 'bad-param', TemplateBody: json(template) })));
      expect(missing.message).to.equal('Parameters: [Env] must have values');
    });

    it('rejects broken templates, naming the logical ID and the problem, in ValidateTemplate and CreateStack', async () => {
      const cases: [unknown, RegExp][] = [
        [{ Resources: { Widget: { Type: 'AWS::Nope::Thing' } } }, /Unrecognized resource types: \[AWS::Nope::Thing\]/],
        [{ Resources: { A: { Type: 'Test::Thing', Properties: { X: { Ref: 'Nothing' } } } } }, /Unresolved resource dependencies \[Nothing\]/],
        [
          { Resources: { A: { Type: 'Test::Thing', Properties: { X: { Ref: 'B' } } }, B: { Type: 'Test::Thing', DependsOn: 'A' } } },
          /Circular dependency between resources: \[A, B\]/,
        ],
        [{ Resources: { A: { Type: 'Test::Thing', Properties: { X: { 'Fn::Join': ['-'] } } } } }, /Resources\/A\/Properties\/X\/Fn::Join/],
        [{ Resources: { A: { Type: 'Test::Thing', Properties: { X: { 'Fn::Bogus': 1 } } } } }, /Fn::Bogus/],
        [{ Resources: { A: { Type: 'Test::Thing', Properties: { X: { 'Fn::GetAtt': ['A2', 'Value'] } } } } }, /undefined resource A2/],
        [{ Resources: { A: { Type: 'Test::Thing', Properties: { X: { 'Fn::GetAtt': ['B', 'Nope'] } } }, B: { Type: 'Test::Thing' } } }, /resource B does not support attribute type Nope/],
        ['{"Resources": {', /JSON not well-formed/],
        ['Resources:\n  A:\n    Type: Test::Thing\n    Properties:\n      X: !Unknown y\n', /YAML not well-formed/],
      ];
      for (const [template, message] of cases) {
        const body = typeof template === 'string' ? template : json(template);
        const validate = await rejection(cfn.send(new ValidateTemplateCommand({ TemplateBody: body })));
        expect(validate.name, body).to.equal('ValidationError');
        expect(validate.message, body).to.match(message);
        const create = await rejection(cfn.send(new CreateStackCommand({ StackName: 'broken', TemplateBody: body })));
        expect(create.message, body).to.match(message);
      }
      const missing = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'broken' })));
      expect(missing.name).to.equal('ValidationError');
    });

    it('validates and summarises a good template, YAML short forms included', async () => {
      const yaml = [
        'Description: yaml template',
        'Parameters:',
        '  Name:',
        '    Type: String',
        '    Default: n',
        '    AllowedValues: [n, m]',
        'Resources:',
        '  User:',
        '    Type: AWS::IAM::User',
        '  Thing:',
        '    Type: Test::Thing',
        '    Properties:',
        '      Label: !Sub "${Name}-${User}"',
        '      Arn: !GetAtt User.Arn',
      ].join('\n');
      const validated = await cfn.send(new ValidateTemplateCommand({ TemplateBody: yaml }));
      expect(validated.Description).to.equal('yaml template');
      expect(validated.Parameters).to.deep.equal([{ ParameterKey: 'Name', DefaultValue: 'n', NoEcho: false }]);
      expect(validated.Capabilities).to.deep.equal(['CAPABILITY_IAM']);
      expect(validated.CapabilitiesReason).to.include('AWS::IAM::User');
      const summary = await cfn.send(new GetTemplateSummaryCommand({ TemplateBody: yaml }));
      expect(summary.ResourceTypes).to.deep.equal(['AWS::IAM::User', 'Test::Thing']);
      expect(summary.Parameters![0]).to.deep.include({ ParameterType: 'String', ParameterConstraints: { AllowedValues: ['n', 'm'] } });
    });

    it('requires CAPABILITY_IAM (or CAPABILITY_NAMED_IAM) for IAM resources', async () => {
      const iam = json({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } } } });
      const refused = await rejection(cfn.send(new CreateStackCommand({ StackName: 'iam', TemplateBody: iam })));
      expect(refused.name).to.equal('InsufficientCapabilitiesException');
      expect(refused.message).to.equal('Requires capabilities : [CAPABILITY_IAM]');
      const named = json({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r', AssumeRolePolicyDocument: {} } } } });
      const refusedNamed = await rejection(cfn.send(new CreateStackCommand({ StackName: 'iam', TemplateBody: named, Capabilities: ['CAPABILITY_IAM'] })));
      expect(refusedNamed.message).to.equal('Requires capabilities : [CAPABILITY_NAMED_IAM]');
    });
  });

  describe('ordering', () => {
    it('creates independent resources in parallel and dependents only after their dependencies', async () => {
      const stack = await deploy('parallel', {
        Resources: {
          Left: { Type: 'Test::Thing', Properties: { DelayMs: 150 } },
          Right: { Type: 'Test::Thing', Properties: { DelayMs: 150 } },
          Explicit: { Type: 'Test::Thing', DependsOn: ['Left'], Properties: { DelayMs: 10 } },
          Joined: { Type: 'Test::Thing', Properties: { From: [{ Ref: 'Left' }, { 'Fn::GetAtt': ['Right', 'Value'] }, { 'Fn::Sub': '${Explicit}' }] } },
        },
      });
      expect(stack.StackStatus).to.equal('CREATE_COMPLETE');
      const call = (id: string) => calls.find((c) => c.logicalId === id && c.action === 'create')!;
      // Both started before either finished.
      expect(call('Right').start).to.be.lessThan(call('Left').end!);
      expect(call('Left').start).to.be.lessThan(call('Right').end!);
      expect(call('Explicit').start).to.be.at.least(call('Left').end!);
      expect(call('Joined').start).to.be.at.least(Math.max(call('Right').end!, call('Explicit').end!));

      await cfn.send(new DeleteStackCommand({ StackName: 'parallel' }));
      await settledStack(cfn, stack.StackId!);
      const deleted = (id: string) => calls.find((c) => c.logicalId === id && c.action === 'delete')!;
      expect(deleted('Joined').end).to.be.at.most(deleted('Explicit').start);
      expect(deleted('Explicit').end).to.be.at.most(deleted('Left').start);
      // Left and Right have no dependency between them: deleted side by side.
      expect(deleted('Left').start).to.be.lessThan(deleted('Right').end!);
    });
  });

  describe('failure and rollback', () => {
    it('rolls back a failed create: ROLLBACK_COMPLETE, what was created is deleted, the reason names the resource', async () => {
      const stack = await deploy('fails', {
        Resources: {
          Good: { Type: 'Test::Thing' },
          Bad: { Type: 'Test::Thing', DependsOn: 'Good', Properties: { Fail: 'the widget exploded' } },
          Never: { Type: 'Test::Thing', DependsOn: 'Bad' },
        },
      });
      expect(stack.StackStatus).to.equal('ROLLBACK_COMPLETE');
      const events = await eventsOf(cfn, 'fails');
      const failed = events.find((e) => e.LogicalResourceId === 'Bad' && e.ResourceStatus === 'CREATE_FAILED')!;
      expect(failed.ResourceStatusReason).to.equal('the widget exploded');
      const rollback = events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')!;
      expect(rollback.ResourceStatusReason).to.equal('The following resource(s) failed to create: [Bad]. Rollback requested by user.');
      expect(await eventLines(cfn, 'fails')).to.include.members(['Good DELETE_IN_PROGRESS', 'Good DELETE_COMPLETE', 'fails ROLLBACK_COMPLETE']);
      expect(calls.filter((c) => c.action === 'delete').map((c) => c.logicalId)).to.deep.equal(['Good']);
      expect(calls.some((c) => c.logicalId === 'Never')).to.equal(false);

      // A ROLLBACK_COMPLETE stack can only be deleted, as on AWS.
      const update = await rejection(cfn.send(new UpdateStackCommand({ StackName: 'fails', UsePreviousTemplate: true })));
      expect(update.message).to.match(/is in ROLLBACK_COMPLETE state and can not be updated/);
      await cfn.send(new DeleteStackCommand({ StackName: 'fails' }));
      expect((await settledStack(cfn, stack.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
    });

    it('keeps what was created with OnFailure DO_NOTHING, and deletes the stack with OnFailure DELETE', async () => {
      const template = { Resources: { Good: { Type: 'Test::Thing' }, Bad: { Type: 'Test::Thing', DependsOn: 'Good', Properties: { Fail: 'no' } } } };
      const kept = await deploy('do-nothing', template, { OnFailure: 'DO_NOTHING' });
      expect(kept.StackStatus).to.equal('CREATE_FAILED');
      expect(calls.filter((c) => c.action === 'delete')).to.have.length(0);
      const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'delete-on-failure', TemplateBody: json(template), OnFailure: 'DELETE' }));
      expect((await settledStack(cfn, StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
    });

    it('fails DeleteStack on a bucket that still holds objects (DELETE_FAILED), and succeeds once it is emptied', async () => {
      const stack = await deploy('with-bucket', { Resources: { Data: { Type: 'AWS::S3::Bucket' } }, Outputs: { Name: { Value: { Ref: 'Data' } } } });
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
      const bucket = stack.Outputs![0]!.OutputValue!;
      expect(bucket).to.match(/^with-bucket-data-[a-z0-9]{12}$/);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'keep.txt', Body: 'x' }));

      await cfn.send(new DeleteStackCommand({ StackName: 'with-bucket' }));
      const failed = await settledStack(cfn, 'with-bucket');
      expect(failed.StackStatus).to.equal('DELETE_FAILED');
      expect(failed.StackStatusReason).to.equal('The following resource(s) failed to delete: [Data].');
      const event = (await eventsOf(cfn, 'with-bucket')).find((e) => e.ResourceStatus === 'DELETE_FAILED' && e.LogicalResourceId === 'Data')!;
      expect(event.ResourceStatusReason).to.match(/^Resource handler returned message: ".*not empty.*" \(Service: S3, Status Code: 409/);

      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'keep.txt' }));
      await cfn.send(new DeleteStackCommand({ StackName: 'with-bucket' }));
      expect((await settledStack(cfn, stack.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      expect((await rejection(s3.send(new HeadBucketCommand({ Bucket: bucket })))).$metadata?.httpStatusCode).to.equal(404);
    });

    it('honours TimeoutInMinutes: what is still running is cancelled and the stack rolls back', async () => {
      const service = cloudFormationService(cloud);
      service.deployer.minuteMs = 100;
      try {
        const stack = await deploy('times-out', { Resources: { Quick: { Type: 'Test::Thing' }, Slow: { Type: 'Test::Thing', Properties: { DelayMs: 10_000 } } } }, { TimeoutInMinutes: 1 });
        expect(stack.StackStatus).to.equal('ROLLBACK_COMPLETE');
        const events = await eventsOf(cfn, 'times-out');
        expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')!.ResourceStatusReason).to.equal(
          'Stack creation time exceeded the specified timeout. Rollback requested by user.',
        );
        expect(events.find((e) => e.LogicalResourceId === 'Slow' && e.ResourceStatus === 'CREATE_FAILED')!.ResourceStatusReason).to.equal(
          'Resource creation cancelled',
        );
        expect(calls.filter((c) => c.action === 'delete').map((c) => c.logicalId)).to.deep.equal(['Quick']);
      } finally {
        service.deployer.minuteMs = 60_000;
      }
    });

    it('retains resources with DeletionPolicy Retain', async () => {
      const stack = await deploy('retain', {
        Resources: { Kept: { Type: 'Test::Thing', DeletionPolicy: 'Retain' }, Snap: { Type: 'Test::Thing', DeletionPolicy: 'Snapshot' } },
      });
      await cfn.send(new DeleteStackCommand({ StackName: 'retain' }));
      expect((await settledStack(cfn, stack.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      expect(calls.filter((c) => c.action === 'delete').map((c) => c.logicalId)).to.deep.equal(['Snap']);
      const events = await eventsOf(cfn, stack.StackId!);
      expect(events.find((e) => e.LogicalResourceId === 'Kept' && e.ResourceStatus === 'DELETE_SKIPPED')).to.exist;
      expect(events.find((e) => e.LogicalResourceId === 'Snap' && e.ResourceStatus === 'DELETE_IN_PROGRESS')!.ResourceStatusReason).to.match(/Snapshot/);
    });
  });

  describe('updates', () => {
    const base = {
      Resources: {
        Named: { Type: 'Test::Thing', Properties: { Name: 'first-name', Size: 1 } },
        Dependent: { Type: 'Test::Thing', Properties: { Uses: { Ref: 'Named' } } },
        Removed: { Type: 'Test::Thing' },
      },
    };

    it('updates in place, replaces on a replacing property, removes, adds, and cleans up afterwards', async () => {
      await deploy('updates', base);
      calls.length = 0;
      const next = {
        Resources: {
          Named: { Type: 'Test::Thing', Properties: { Name: 'second-name', Size: 1 } },
          Dependent: { Type: 'Test::Thing', Properties: { Uses: { Ref: 'Named' } } },
          Added: { Type: 'Test::Thing', Properties: { Size: 2 } },
        },
        Outputs: { Uses: { Value: { Ref: 'Named' } } },
      };
      await cfn.send(new UpdateStackCommand({ StackName: 'updates', TemplateBody: json(next) }));
      const stack = await settledStack(cfn, 'updates');
      expect(stack.StackStatus).to.equal('UPDATE_COMPLETE');
      expect(stack.LastUpdatedTime).to.be.instanceOf(Date);
      expect(stack.Outputs).to.deep.equal([{ OutputKey: 'Uses', OutputValue: 'second-name' }]);
      const summary = calls.map((c) => `${c.action} ${c.logicalId}${c.logicalId === 'Named' ? ` ${c.physicalId}` : ''}`);
      expect(summary).to.include.members(['create Named second-name', 'update Dependent', 'create Added', 'delete Named first-name', 'delete Removed']);
      // Old physical resources go in the cleanup phase, after every update.
      const firstDelete = calls.findIndex((c) => c.action === 'delete');
      expect(calls.slice(firstDelete).every((c) => c.action === 'delete')).to.equal(true);
      const lines = await eventLines(cfn, 'updates');
      const cleanup = lines.indexOf('updates UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      expect(cleanup).to.be.greaterThan(lines.indexOf('Dependent UPDATE_COMPLETE'));
      expect(lines.slice(cleanup)).to.include.members(['Named DELETE_COMPLETE', 'Removed DELETE_COMPLETE', 'updates UPDATE_COMPLETE']);
      const replacing = (await eventsOf(cfn, 'updates')).find((e) => e.ResourceStatusReason?.startsWith('Requested update requires the creation'));
      expect(replacing?.LogicalResourceId).to.equal('Named');
      const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'updates' }));
      expect(StackResourceSummaries!.map((r) => `${r.LogicalResourceId} ${r.ResourceStatus}`).sort()).to.deep.equal([
        'Added CREATE_COMPLETE',
        'Dependent UPDATE_COMPLETE',
        'Named UPDATE_COMPLETE',
      ]);
      expect(StackResourceSummaries!.find((r) => r.LogicalResourceId === 'Named')!.PhysicalResourceId).to.equal('second-name');

      const none = await rejection(cfn.send(new UpdateStackCommand({ StackName: 'updates', TemplateBody: json(next) })));
      expect(none.message).to.equal('No updates are to be performed.');
    });

    it('rolls a failed update back to the previous state: UPDATE_ROLLBACK_COMPLETE', async () => {
      await deploy('update-fails', base);
      calls.length = 0;
      const next = {
        Resources: {
          Named: { Type: 'Test::Thing', Properties: { Name: 'first-name', Size: 5 } },
          Dependent: { Type: 'Test::Thing', DependsOn: 'Named', Properties: { Uses: { Ref: 'Named' }, FailUpdate: 'cannot' } },
          Removed: { Type: 'Test::Thing' },
          Added: { Type: 'Test::Thing' },
        },
      };
      await cfn.send(new UpdateStackCommand({ StackName: 'update-fails', TemplateBody: json(next) }));
      const stack = await settledStack(cfn, 'update-fails');
      expect(stack.StackStatus).to.equal('UPDATE_ROLLBACK_COMPLETE');
      const lines = await eventLines(cfn, 'update-fails');
      expect(lines).to.include.members([
        'Dependent UPDATE_FAILED',
        'update-fails UPDATE_ROLLBACK_IN_PROGRESS',
        'update-fails UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
        'update-fails UPDATE_ROLLBACK_COMPLETE',
      ]);
      // Named went back to Size 1; the added resource was deleted; the template is the old one again.
      const namedUpdates = calls.filter((c) => c.logicalId === 'Named' && c.action === 'update').map((c) => c.properties.Size);
      expect(namedUpdates).to.deep.equal([5, 1]);
      expect(calls.filter((c) => c.action === 'delete').map((c) => c.logicalId)).to.include('Added');
      const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: 'update-fails' }));
      expect(JSON.parse(TemplateBody!)).to.deep.equal(base);
      const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'update-fails' }));
      expect(StackResourceSummaries!.map((r) => r.LogicalResourceId).sort()).to.deep.equal(['Dependent', 'Named', 'Removed']);
      // The stack can be updated again after an update rollback.
      await cfn.send(new UpdateStackCommand({ StackName: 'update-fails', TemplateBody: json({ Resources: { Named: base.Resources.Named } }) }));
      expect((await settledStack(cfn, 'update-fails')).StackStatus).to.equal('UPDATE_COMPLETE');
    });

    it('refuses to replace a resource that keeps its custom name', async () => {
      await deploy('custom-name', { Resources: { Kinesis: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'cfn-custom-name-bucket' } } } });
      await cfn.send(
        new UpdateStackCommand({
          StackName: 'custom-name',
          TemplateBody: json({ Resources: { Kinesis: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'cfn-custom-name-bucket', ObjectLockEnabled: true } } } }),
        }),
      );
      const stack = await settledStack(cfn, 'custom-name');
      expect(stack.StackStatus).to.equal('UPDATE_ROLLBACK_COMPLETE');
      const failed = (await eventsOf(cfn, 'custom-name')).find((e) => e.ResourceStatus === 'UPDATE_FAILED')!;
      expect(failed.ResourceStatusReason).to.match(/custom-named resource requires replacing/);
    });
  });

  describe('change sets', () => {
    it('creates a stack through a CREATE change set (REVIEW_IN_PROGRESS), then describes and executes an UPDATE change set', async () => {
      const template = { Resources: { Named: { Type: 'Test::Thing', Properties: { Name: 'cs-one', Size: 1 } }, Other: { Type: 'Test::Thing' } } };
      const created = await cfn.send(
        new CreateChangeSetCommand({ StackName: 'changes', ChangeSetName: 'initial', ChangeSetType: 'CREATE', TemplateBody: json(template) }),
      );
      expect(created.Id).to.match(/:changeSet\/initial\//);
      const review = (await cfn.send(new DescribeStacksCommand({ StackName: 'changes' }))).Stacks![0]!;
      expect(review.StackStatus).to.equal('REVIEW_IN_PROGRESS');
      await waitUntilChangeSetCreateComplete({ client: cfn, maxWaitTime: 10, minDelay: 1 }, { ChangeSetName: created.Id, StackName: created.StackId });
      const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: 'initial', StackName: 'changes' }));
      expect(described).to.include({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', ChangeSetName: 'initial' });
      expect(described.Changes!.map((c) => `${c.ResourceChange!.Action} ${c.ResourceChange!.LogicalResourceId}`)).to.have.members([
        'Add Named',
        'Add Other',
      ]);
      await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id }));
      expect((await settledStack(cfn, 'changes')).StackStatus).to.equal('CREATE_COMPLETE');

      const next = {
        Resources: {
          Named: { Type: 'Test::Thing', Properties: { Name: 'cs-two', Size: 1 } },
          Other: { Type: 'Test::Thing', Properties: { Size: 3, Uses: { Ref: 'Named' } } },
          Third: { Type: 'Test::Thing' },
        },
      };
      const update = await cfn.send(new CreateChangeSetCommand({ StackName: 'changes', ChangeSetName: 'second', TemplateBody: json(next) }));
      const { Changes, Status } = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: update.Id }));
      expect(Status).to.equal('CREATE_COMPLETE');
      const byId = Object.fromEntries(Changes!.map((c) => [c.ResourceChange!.LogicalResourceId, c.ResourceChange!]));
      expect(byId.Named).to.deep.include({ Action: 'Modify', Replacement: 'True', Scope: ['Properties'] });
      expect(byId.Named!.Details).to.deep.equal([
        { Target: { Attribute: 'Properties', Name: 'Name', RequiresRecreation: 'Always' }, Evaluation: 'Static', ChangeSource: 'DirectModification' },
      ]);
      expect(byId.Other).to.deep.include({ Action: 'Modify', Replacement: 'False' });
      expect(byId.Other!.Details!.find((d: ResourceChangeDetail) => d.Target!.Name === 'Uses')).to.deep.include({ Evaluation: 'Dynamic' });
      expect(byId.Third).to.deep.include({ Action: 'Add' });

      const { Summaries } = await cfn.send(new ListChangeSetsCommand({ StackName: 'changes' }));
      expect(Summaries!.map((s) => s.ChangeSetName)).to.have.members(['initial', 'second']);
      // Nothing changed yet.
      expect(calls.filter((c) => c.action !== 'create' || c.logicalId === 'Third')).to.have.length(0);

      await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: 'second', StackName: 'changes' }));
      const stack = await settledStack(cfn, 'changes');
      expect(stack.StackStatus).to.equal('UPDATE_COMPLETE');
      expect(stack.ChangeSetId).to.equal(update.Id);
      expect(calls.some((c) => c.action === 'create' && c.logicalId === 'Third')).to.equal(true);
      const executed = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: update.Id }));
      expect(executed.ExecutionStatus).to.equal('EXECUTE_COMPLETE');
      // Executing a change set deletes the stack's other change sets, as on AWS.
      const after = await cfn.send(new ListChangeSetsCommand({ StackName: 'changes' }));
      expect(after.Summaries!.map((s) => s.ChangeSetName)).to.deep.equal(['second']);
    });

    it('reports an empty change set as FAILED with AWS’s reason, and deletes change sets', async () => {
      await deploy('no-change', { Resources: { A: { Type: 'Test::Thing' } } });
      const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: 'no-change' }));
      const created = await cfn.send(new CreateChangeSetCommand({ StackName: 'no-change', ChangeSetName: 'same', TemplateBody }));
      const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: created.Id }));
      expect(described.Status).to.equal('FAILED');
      expect(described.StatusReason).to.equal(
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      );
      await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: created.Id }));
      const gone = await rejection(cfn.send(new DescribeChangeSetCommand({ ChangeSetName: created.Id })));
      expect(gone.name).to.equal('ChangeSetNotFoundException');
    });
  });

  describe('templates in S3 and nested stacks', () => {
    before(async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'cfn-templates' }));
      const child = {
        Parameters: { Label: { Type: 'String' } },
        Resources: { Inner: { Type: 'Test::Thing', Properties: { Label: { Ref: 'Label' } } } },
        Outputs: { InnerName: { Value: { Ref: 'Inner' } } },
      };
      await s3.send(new PutObjectCommand({ Bucket: 'cfn-templates', Key: 'child.json', Body: json(child) }));
      const failingChild = { Resources: { Broken: { Type: 'Test::Thing', Properties: { Fail: 'inner failure' } } } };
      await s3.send(new PutObjectCommand({ Bucket: 'cfn-templates', Key: 'failing/child.json', Body: json(failingChild) }));
    });

    it('reads TemplateURL from local S3 in every URL style', async () => {
      const urls = [
        'https://s3.amazonaws.com/cfn-templates/child.json',
        'https://s3.us-east-1.amazonaws.com/cfn-templates/child.json',
        'https://cfn-templates.s3.amazonaws.com/child.json',
        'https://cfn-templates.s3.us-east-1.amazonaws.com/child.json',
        `${cloud.url}/cfn-templates/child.json`,
      ];
      for (const url of urls) {
        const summary = await cfn.send(new GetTemplateSummaryCommand({ TemplateURL: url }));
        expect(summary.Parameters!.map((p) => p.ParameterKey), url).to.deep.equal(['Label']);
      }
      const missing = await rejection(cfn.send(new ValidateTemplateCommand({ TemplateURL: 'https://s3.amazonaws.com/cfn-templates/nope.json' })));
      expect(missing.name).to.equal('ValidationError');
      expect(missing.message).to.match(/TemplateURL must reference a valid S3 object/);
    });

    it('creates a nested stack, reads its outputs, and deletes it with the parent', async () => {
      const parent = await deploy('parent', {
        Resources: {
          Child: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://s3.amazonaws.com/cfn-templates/child.json', Parameters: { Label: 'from-parent' }, TimeoutInMinutes: 2 } },
          User: { Type: 'Test::Thing', Properties: { Inner: { 'Fn::GetAtt': ['Child', 'Outputs.InnerName'] } } },
        },
        Outputs: { ChildId: { Value: { Ref: 'Child' } } },
      });
      expect(parent.StackStatus, parent.StackStatusReason).to.equal('CREATE_COMPLETE');
      const childId = parent.Outputs![0]!.OutputValue!;
      expect(childId).to.match(/:stack\/parent-Child-[A-Z0-9]{13}\//);
      const child = (await cfn.send(new DescribeStacksCommand({ StackName: childId }))).Stacks![0]!;
      expect(child).to.include({ StackStatus: 'CREATE_COMPLETE', ParentId: parent.StackId, RootId: parent.StackId, TimeoutInMinutes: 2 });
      const inner = calls.find((c) => c.logicalId === 'Inner')!;
      expect(inner.properties.Label).to.equal('from-parent');
      expect(calls.find((c) => c.logicalId === 'User')!.properties.Inner).to.equal(inner.physicalId);

      await cfn.send(new DeleteStackCommand({ StackName: 'parent' }));
      expect((await settledStack(cfn, parent.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
      expect((await settledStack(cfn, childId)).StackStatus).to.equal('DELETE_COMPLETE');
      expect(calls.filter((c) => c.action === 'delete').map((c) => c.logicalId)).to.deep.equal(['User', 'Inner']);
    });

    it('surfaces a nested stack’s failure in the parent, quoting the failing resource and its reason', async () => {
      const parent = await deploy('parent-fails', {
        Resources: { Child: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://s3.amazonaws.com/cfn-templates/failing/child.json' } } },
      });
      expect(parent.StackStatus).to.equal('ROLLBACK_COMPLETE');
      const failed = (await eventsOf(cfn, 'parent-fails')).find((e) => e.LogicalResourceId === 'Child' && e.ResourceStatus === 'CREATE_FAILED')!;
      expect(failed.ResourceStatusReason).to.match(/^Embedded stack arn:aws:cloudformation:.*parent-fails-Child-.* was not successfully created: /);
      expect(failed.ResourceStatusReason).to.include('The following resource(s) failed to create: [Broken].');
      expect(failed.ResourceStatusReason).to.include('Broken: inner failure');
    });
  });

  describe('persistence', () => {
    it('describes stacks, events and change sets after a restart', async () => {
      const state = tempDir('cfn-state-');
      try {
        let persistent = await startTestCloud({ stateDir: state.dir });
        registerFakeType(persistent, []);
        let client = new CloudFormationClient(persistent.clientConfig());
        await client.send(new CreateStackCommand({ StackName: 'durable', TemplateBody: json({ Resources: { A: { Type: 'Test::Thing' } }, Outputs: { A: { Value: { Ref: 'A' } } } }) }));
        const before = await settledStack(client, 'durable');
        const eventsBefore = await eventLines(client, 'durable');
        await client.send(new CreateChangeSetCommand({ StackName: 'durable', ChangeSetName: 'pending', TemplateBody: json({ Resources: { B: { Type: 'Test::Thing' } } }) }));
        client.destroy();
        await persistent.stop();

        persistent = await startTestCloud({ stateDir: state.dir });
        registerFakeType(persistent, []);
        client = new CloudFormationClient(persistent.clientConfig());
        const after = (await client.send(new DescribeStacksCommand({ StackName: 'durable' }))).Stacks![0]!;
        expect(after.StackStatus).to.equal('CREATE_COMPLETE');
        expect(after.Outputs).to.deep.equal(before.Outputs);
        expect(await eventLines(client, 'durable')).to.deep.equal(eventsBefore);
        const { Summaries } = await client.send(new ListChangeSetsCommand({ StackName: 'durable' }));
        expect(Summaries!.map((s) => s.ChangeSetName)).to.deep.equal(['pending']);
        await client.send(new DeleteStackCommand({ StackName: 'durable' }));
        expect((await settledStack(client, after.StackId!)).StackStatus).to.equal('DELETE_COMPLETE');
        client.destroy();
        await persistent.stop();
      } finally {
        state.cleanup();
      }
    });

    it('settles a stack whose operation a stop cut short, at the next start', async () => {
      const state = tempDir('cfn-state-');
      try {
        let persistent = await startTestCloud({ stateDir: state.dir });
        registerFakeType(persistent, []);
        let client = new CloudFormationClient(persistent.clientConfig());
        // A provider that does not notice the cancellation outlives the stop's grace period, like a crash would.
        const slow = json({ Resources: { Slow: { Type: 'Test::Thing', Properties: { DelayMs: 4000, IgnoreCancel: true } } } });
        const { StackId } = await client.send(new CreateStackCommand({ StackName: 'cut-short', TemplateBody: slow }));
        client.destroy();
        await persistent.stop();

        persistent = await startTestCloud({ stateDir: state.dir });
        client = new CloudFormationClient(persistent.clientConfig());
        const stack = (await client.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks![0]!;
        expect(stack.StackStatus).to.equal('CREATE_FAILED');
        expect(stack.StackStatusReason).to.equal('localcloud stopped during the operation');
        const slowEvents = (await eventsOf(client, StackId!)).filter((e) => e.LogicalResourceId === 'Slow').map((e) => e.ResourceStatus);
        expect(slowEvents).to.deep.equal(['CREATE_IN_PROGRESS', 'CREATE_FAILED']);
        client.destroy();
        await persistent.stop();
      } finally {
        state.cleanup();
      }
    });
  });
});
