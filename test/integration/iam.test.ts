import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { expect } from 'chai';
import type { IamProvider } from '../../localcloud/services/iam/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { signedHeaders } from '../support/sign.js';

const ACCOUNT = '000000000000';

const trustLambda = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const allowLogs = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['logs:*'], Resource: 'arn:aws:logs:*:*:*' }],
});

/** On AWS a user needs iam:GetUser (and iam:ListAccessKeys) even to read itself. */
const readSelf = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
});

describe('IAM', function () {
  let cloud: TestCloud;
  let iam: IAMClient;

  before(async () => {
    cloud = await startTestCloud();
    iam = new IAMClient(cloud.clientConfig());
  });
  after(async () => {
    iam?.destroy();
    await cloud?.stop();
  });

  describe('users', () => {
    it('creates, reads, lists by path, tags and deletes users', async () => {
      const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/team/', Tags: [{ Key: 'role', Value: 'dev' }] }));
      expect(created.User).to.include({ UserName: 'alice', Path: '/team/', Arn: `arn:aws:iam::${ACCOUNT}:user/team/alice` });
      expect(created.User!.UserId).to.match(/^AIDA[A-Z0-9]{17}$/);
      expect(created.User!.CreateDate).to.be.instanceOf(Date);
      await iam.send(new CreateUserCommand({ UserName: 'bob' }));

      const got = await iam.send(new GetUserCommand({ UserName: 'ALICE' }));
      expect(got.User!.UserName).to.equal('alice');
      expect(got.User!.Tags).to.deep.equal([{ Key: 'role', Value: 'dev' }]);

      expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).to.deep.equal(['alice', 'bob']);
      expect((await iam.send(new ListUsersCommand({ PathPrefix: '/team/' }))).Users!.map((u) => u.UserName)).to.deep.equal(['alice']);
      const page = await iam.send(new ListUsersCommand({ MaxItems: 1 }));
      expect(page.IsTruncated).to.equal(true);
      expect((await iam.send(new ListUsersCommand({ Marker: page.Marker }))).Users!.map((u) => u.UserName)).to.deep.equal(['bob']);

      await iam.send(new TagUserCommand({ UserName: 'bob', Tags: [{ Key: 'a', Value: '1' }] }));
      expect((await iam.send(new ListUserTagsCommand({ UserName: 'bob' }))).Tags).to.deep.equal([{ Key: 'a', Value: '1' }]);

      await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'Alice' })), 'EntityAlreadyExistsException', 409);
      await expectAwsError(iam.send(new GetUserCommand({ UserName: 'carol' })), 'NoSuchEntityException', 404, /carol cannot be found/);
      await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'bad name' })), 'ValidationError', 400);
      await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'x', Path: 'nope' })), 'ValidationError', 400);

      await iam.send(new DeleteUserCommand({ UserName: 'bob' }));
      await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'bob' })), 'NoSuchEntityException', 404);
    });
  });

  describe('access keys', () => {
    it('issues AWS-shaped keys, at most two per user, and refuses to delete a user that has any', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'keyed' }));
      const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' }));
      expect(key!.AccessKeyId).to.match(/^AKIA[A-Z0-9]{16}$/);
      expect(key!.SecretAccessKey).to.have.length(40);
      expect(key).to.include({ UserName: 'keyed', Status: 'Active' });
      const second = (await iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' }))).AccessKey!;
      await expectAwsError(iam.send(new CreateAccessKeyCommand({ UserName: 'keyed' })), 'LimitExceededException', 409);

      const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'keyed' }));
      expect(listed.AccessKeyMetadata!.map((k) => k.AccessKeyId)).to.have.members([key!.AccessKeyId, second.AccessKeyId]);
      expect(listed.AccessKeyMetadata![0]).to.not.have.property('SecretAccessKey');

      await iam.send(new UpdateAccessKeyCommand({ UserName: 'keyed', AccessKeyId: second.AccessKeyId, Status: 'Inactive' }));
      const provider = cloud.cloud.context.service<IamProvider>('iam')!;
      expect(provider.accessKey(second.AccessKeyId!)).to.include({ accountId: ACCOUNT, userName: 'keyed', status: 'Inactive', userArn: `arn:aws:iam::${ACCOUNT}:user/keyed` });

      await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'keyed' })), 'DeleteConflictException', 409, /access keys/);
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: key!.AccessKeyId }));
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: second.AccessKeyId }));
      await expectAwsError(iam.send(new DeleteAccessKeyCommand({ UserName: 'keyed', AccessKeyId: second.AccessKeyId })), 'NoSuchEntityException', 404);
      expect(provider.accessKey(second.AccessKeyId!)).to.equal(undefined);
      await iam.send(new DeleteUserCommand({ UserName: 'keyed' }));
    });

    it('resolves a key to the account that created it, and GetUser without a name to its user', async () => {
      const admin = new IAMClient({ ...cloud.clientConfig(), credentials: { accessKeyId: '111111111111', secretAccessKey: 'test' } });
      await admin.send(new CreateUserCommand({ UserName: 'device' }));
      await admin.send(new PutUserPolicyCommand({ UserName: 'device', PolicyName: 'ReadSelf', PolicyDocument: readSelf }));
      const { AccessKey: key } = await admin.send(new CreateAccessKeyCommand({ UserName: 'device' }));
      const asDevice = new IAMClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! } });
      const me = await asDevice.send(new GetUserCommand({}));
      expect(me.User!.Arn).to.equal('arn:aws:iam::111111111111:user/device');
      expect((await asDevice.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((k) => k.AccessKeyId)).to.deep.equal([key!.AccessKeyId]);
      // The default account does not see the other account's user.
      await expectAwsError(iam.send(new GetUserCommand({ UserName: 'device' })), 'NoSuchEntityException', 404);
      admin.destroy();
      asDevice.destroy();
    });
  });

  describe('roles', () => {
    it('stores the trust policy as sent and returns it URL-encoded', async () => {
      const created = await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: trustLambda, Description: 'lambda', Path: '/service/' }));
      expect(created.Role).to.include({ RoleName: 'exec', Arn: `arn:aws:iam::${ACCOUNT}:role/service/exec`, MaxSessionDuration: 3600 });
      expect(created.Role!.RoleId).to.match(/^AROA[A-Z0-9]{17}$/);
      expect(created.Role!.AssumeRolePolicyDocument).to.equal(encodeURIComponent(trustLambda));
      expect(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!)).to.equal(trustLambda);

      const got = await iam.send(new GetRoleCommand({ RoleName: 'exec' }));
      expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).to.deep.equal(JSON.parse(trustLambda));
      expect(got.Role!.Description).to.equal('lambda');

      const trustEc2 = trustLambda.replace('lambda.amazonaws.com', 'ec2.amazonaws.com');
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'exec', PolicyDocument: trustEc2 }));
      await iam.send(new UpdateRoleCommand({ RoleName: 'exec', MaxSessionDuration: 7200 }));
      const updated = (await iam.send(new GetRoleCommand({ RoleName: 'exec' }))).Role!;
      expect(decodeURIComponent(updated.AssumeRolePolicyDocument!)).to.equal(trustEc2);
      expect(updated.MaxSessionDuration).to.equal(7200);
      expect((await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).to.include('exec');

      await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: trustLambda })), 'EntityAlreadyExistsException', 409);
      await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: '{not json' })), 'MalformedPolicyDocumentException', 400, /invalid Json/);
      await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: allowLogs })), 'MalformedPolicyDocumentException', 400);
      await expectAwsError(iam.send(new UpdateRoleCommand({ RoleName: 'exec', MaxSessionDuration: 60 })), 'ValidationError', 400);
      await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'nope' })), 'NoSuchEntityException', 404, /role with name nope/);
    });
  });

  describe('inline policies', () => {
    it('puts, reads (URL-encoded), lists and deletes user and role policies; deleting the owner conflicts', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'inline-user' }));
      await iam.send(new CreateRoleCommand({ RoleName: 'inline-role', AssumeRolePolicyDocument: trustLambda }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'IotClientPolicy', PolicyDocument: allowLogs }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'IoTAPIExecutionPolicy', PolicyDocument: allowLogs }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'Second', PolicyDocument: allowLogs }));

      const userPolicy = await iam.send(new GetUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'IotClientPolicy' }));
      expect(userPolicy).to.include({ UserName: 'inline-user', PolicyName: 'IotClientPolicy' });
      expect(decodeURIComponent(userPolicy.PolicyDocument!)).to.equal(allowLogs);
      const rolePolicy = await iam.send(new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'IoTAPIExecutionPolicy' }));
      expect(rolePolicy.RoleName).to.equal('inline-role');
      expect(JSON.parse(decodeURIComponent(rolePolicy.PolicyDocument!))).to.deep.equal(JSON.parse(allowLogs));
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-role' }))).PolicyNames).to.deep.equal(['IoTAPIExecutionPolicy', 'Second']);
      expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'inline-user' }))).PolicyNames).to.deep.equal(['IotClientPolicy']);

      await expectAwsError(iam.send(new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'Missing' })), 'NoSuchEntityException', 404, /role policy with name Missing/);
      const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
      await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'p', PolicyDocument: withPrincipal })), 'MalformedPolicyDocumentException', 400, /principal/);
      await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17"}' })), 'MalformedPolicyDocumentException', 400, /Statement/);
      await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'p', PolicyDocument: '[1,2' })), 'MalformedPolicyDocumentException', 400);
      await expectAwsError(
        iam.send(new PutUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }] }) })),
        'MalformedPolicyDocumentException',
        400,
      );

      await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'inline-user' })), 'DeleteConflictException', 409, /policies/);
      await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' })), 'DeleteConflictException', 409);
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'inline-user', PolicyName: 'IotClientPolicy' }));
      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'IoTAPIExecutionPolicy' }));
      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'Second' }));
      await expectAwsError(iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'Second' })), 'NoSuchEntityException', 404);
      await iam.send(new DeleteUserCommand({ UserName: 'inline-user' }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' }));
    });
  });

  describe('managed policies', () => {
    it('creates customer policies with versions, attaches them, and refuses to delete attached ones', async () => {
      const created = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Custom', PolicyDocument: allowLogs, Description: 'logs', Path: '/app/' }))).Policy!;
      expect(created).to.include({ PolicyName: 'Custom', Arn: `arn:aws:iam::${ACCOUNT}:policy/app/Custom`, DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true });
      expect(created.PolicyId).to.match(/^ANPA[A-Z0-9]{17}$/);
      await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'Custom', PolicyDocument: allowLogs })), 'EntityAlreadyExistsException', 409);

      const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v1' }));
      expect(version.PolicyVersion).to.include({ VersionId: 'v1', IsDefaultVersion: true });
      expect(decodeURIComponent(version.PolicyVersion!.Document!)).to.equal(allowLogs);

      await iam.send(new CreateRoleCommand({ RoleName: 'with-managed', AssumeRolePolicyDocument: trustLambda }));
      await iam.send(new CreateUserCommand({ UserName: 'with-managed' }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'with-managed', PolicyArn: created.Arn }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'with-managed', PolicyArn: created.Arn })); // idempotent
      await iam.send(new AttachUserPolicyCommand({ UserName: 'with-managed', PolicyArn: created.Arn }));
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: created.Arn }))).Policy!.AttachmentCount).to.equal(2);
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'with-managed' }))).AttachedPolicies).to.deep.equal([
        { PolicyName: 'Custom', PolicyArn: created.Arn },
      ]);
      expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'with-managed' }))).AttachedPolicies).to.have.length(1);
      expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local', OnlyAttached: true }))).Policies!.map((p) => p.PolicyName)).to.deep.equal(['Custom']);

      const v2doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
      const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: created.Arn, PolicyDocument: v2doc, SetAsDefault: true }));
      expect(v2.PolicyVersion).to.include({ VersionId: 'v2', IsDefaultVersion: true });
      expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: created.Arn }))).Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).to.deep.equal([
        ['v2', true],
        ['v1', false],
      ]);
      await expectAwsError(iam.send(new DeletePolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v2' })), 'DeleteConflictException', 409);
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v1' }));
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v2' }));

      await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: created.Arn })), 'DeleteConflictException', 409, /attached/);
      await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'with-managed' })), 'DeleteConflictException', 409, /detach/);
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'with-managed', PolicyArn: created.Arn }));
      await iam.send(new DetachUserPolicyCommand({ UserName: 'with-managed', PolicyArn: created.Arn }));
      await expectAwsError(iam.send(new DetachUserPolicyCommand({ UserName: 'with-managed', PolicyArn: created.Arn })), 'NoSuchEntityException', 404);
      await iam.send(new DeletePolicyCommand({ PolicyArn: created.Arn }));
      await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: created.Arn })), 'NoSuchEntityException', 404);
      await expectAwsError(
        iam.send(new AttachRolePolicyCommand({ RoleName: 'with-managed', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/Nope` })),
        'NoSuchEntityException',
        404,
        /does not exist or is not attachable/,
      );
    });

    it('knows the AWS managed policies the template attaches, with their documents', async () => {
      const kinesisArn = 'arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole';
      const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: kinesisArn }))).Policy!;
      expect(policy).to.include({ PolicyName: 'AWSLambdaKinesisExecutionRole', Path: '/service-role/', DefaultVersionId: 'v2', IsAttachable: true });
      const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: kinesisArn, VersionId: 'v2' }))).PolicyVersion!;
      const document = JSON.parse(decodeURIComponent(version.Document!));
      expect(document.Statement[0].Action).to.include.members(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'logs:PutLogEvents']);
      await expectAwsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: kinesisArn, VersionId: 'v1' })), 'NoSuchEntityException', 404);

      for (const [arn, action] of [
        ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'logs:CreateLogStream'],
        ['arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole', 'dynamodb:GetRecords'],
        ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'dynamodb:Query'],
      ]) {
        const p = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
        const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.DefaultVersionId }))).PolicyVersion!;
        expect(JSON.stringify(JSON.parse(decodeURIComponent(v.Document!)))).to.contain(action);
      }
      const admin = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', VersionId: 'v1' }))).PolicyVersion!;
      expect(JSON.parse(decodeURIComponent(admin.Document!))).to.deep.equal({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

      const awsPolicies = (await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }))).Policies!.map((p) => p.PolicyName);
      expect(awsPolicies).to.include.members(['AdministratorAccess', 'ReadOnlyAccess', 'AWSLambdaKinesisExecutionRole', 'AWSLambdaBasicExecutionRole', 'AWSLambdaDynamoDBExecutionRole']);

      await iam.send(new CreateRoleCommand({ RoleName: 'DdbCloudWatchProcessorRole', AssumeRolePolicyDocument: trustLambda }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'DdbCloudWatchProcessorRole', PolicyArn: kinesisArn }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'DdbCloudWatchProcessorRole', PolicyName: 'IoTEventProcessorExecutionPolicy', PolicyDocument: allowLogs }));
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: kinesisArn }))).Policy!.AttachmentCount).to.equal(1);
      await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: kinesisArn })), 'AccessDenied', 403);

      // What a policy evaluator will read.
      const provider = cloud.cloud.context.service<IamProvider>('iam')!;
      const applied = provider.policiesForPrincipal(ACCOUNT, { type: 'role', name: 'DdbCloudWatchProcessorRole' })!;
      expect(applied.principalArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/DdbCloudWatchProcessorRole`);
      expect(applied.policies.map((p) => [p.kind, p.name])).to.deep.equal([
        ['inline', 'IoTEventProcessorExecutionPolicy'],
        ['managed', 'AWSLambdaKinesisExecutionRole'],
      ]);
      expect(applied.policies[0].document.Statement[0].Action).to.deep.equal(['logs:*']);
      expect(provider.role(ACCOUNT, 'DdbCloudWatchProcessorRole')!.trustPolicy.Statement[0].Principal).to.deep.equal({ Service: 'lambda.amazonaws.com' });
    });
  });

  describe('groups', () => {
    it('holds members and policies that reach the users', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'member' }));
      await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'member' }));
      await iam.send(new PutGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'GroupLogs', PolicyDocument: allowLogs }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
      const group = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
      expect(group.Group!.Arn).to.equal(`arn:aws:iam::${ACCOUNT}:group/devs`);
      expect(group.Users!.map((u) => u.UserName)).to.deep.equal(['member']);
      expect(decodeURIComponent((await iam.send(new GetGroupPolicyCommand({ GroupName: 'devs', PolicyName: 'GroupLogs' }))).PolicyDocument!)).to.equal(allowLogs);

      const provider = cloud.cloud.context.service<IamProvider>('iam')!;
      const applied = provider.policiesForPrincipal(ACCOUNT, { type: 'user', name: 'member' })!;
      expect(applied.policies.map((p) => [p.kind, p.name, p.viaGroup])).to.deep.equal([
        ['inline', 'GroupLogs', 'devs'],
        ['managed', 'ReadOnlyAccess', 'devs'],
      ]);

      await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'member' })), 'DeleteConflictException', 409);
      await expectAwsError(iam.send(new DeleteGroupCommand({ GroupName: 'devs' })), 'DeleteConflictException', 409);
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'devs', UserName: 'member' }));
      await iam.send(new DeleteUserCommand({ UserName: 'member' }));
    });
  });

  it('answers unknown actions and garbage with IAM-shaped XML errors', async () => {
    const body = 'Action=FlyToTheMoon&Version=2010-05-08';
    const headers = await signedHeaders(cloud.url, { method: 'POST', target: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, { service: 'iam' });
    const { host: _host, ...sent } = headers;
    const res = await fetch(cloud.url, { method: 'POST', headers: sent, body });
    const xml = await res.text();
    expect(res.status).to.equal(400);
    expect(xml).to.contain('<Code>InvalidAction</Code>');
  });
});

describe('IAM persistence', function () {
  it('keeps users, keys, roles, policies and attachments across a restart', async () => {
    const state = tempDir();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      let iam = new IAMClient(cloud.clientConfig());
      await iam.send(new CreateUserCommand({ UserName: 'TestClientUser' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'TestClientUser', PolicyName: 'IotClientPolicy', PolicyDocument: allowLogs }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'TestClientUser', PolicyName: 'ReadSelf', PolicyDocument: readSelf }));
      const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: 'TestClientUser' }));
      await iam.send(new CreateRoleCommand({ RoleName: 'ApiExecutionRole', AssumeRolePolicyDocument: trustLambda }));
      const policy = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Kept', PolicyDocument: allowLogs }))).Policy!;
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'ApiExecutionRole', PolicyArn: policy.Arn }));
      iam.destroy();
      await cloud.stop();

      cloud = await startTestCloud({ stateDir: state.dir });
      iam = new IAMClient(cloud.clientConfig());
      expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).to.deep.equal(['TestClientUser']);
      expect(decodeURIComponent((await iam.send(new GetUserPolicyCommand({ UserName: 'TestClientUser', PolicyName: 'IotClientPolicy' }))).PolicyDocument!)).to.equal(allowLogs);
      expect(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'ApiExecutionRole' }))).Role!.AssumeRolePolicyDocument!)).to.equal(trustLambda);
      expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'ApiExecutionRole' }))).AttachedPolicies![0].PolicyArn).to.equal(policy.Arn);
      const asUser = new IAMClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! } });
      expect((await asUser.send(new GetUserCommand({}))).User!.UserName).to.equal('TestClientUser');
      expect(cloud.cloud.context.service<IamProvider>('iam')!.accessKey(key!.AccessKeyId!)!.secretAccessKey).to.equal(key!.SecretAccessKey);
      asUser.destroy();
      iam.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });
});
