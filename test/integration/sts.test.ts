import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { signedHeaders } from '../support/sign.js';

/** Trusts Lambda and the default account, whose root assumes these roles from across accounts (a role must trust its callers). */
const trustLambdaAndDefaultAccount = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com', AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }],
});

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('STS', function () {
  let cloud: TestCloud;
  const clients: { destroy(): void }[] = [];
  const sts = (credentials?: Keys) => {
    const client = new STSClient({ ...cloud.clientConfig(), ...(credentials ? { credentials } : {}) });
    clients.push(client);
    return client;
  };
  const iam = (credentials?: Keys) => {
    const client = new IAMClient({ ...cloud.clientConfig(), ...(credentials ? { credentials } : {}) });
    clients.push(client);
    return client;
  };

  before(async () => {
    cloud = await startTestCloud();
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await cloud?.stop();
  });

  describe('GetCallerIdentity', () => {
    it('answers the root of the default account for the default test keys', async () => {
      expect(await sts().send(new GetCallerIdentityCommand({}))).to.include({
        Account: '000000000000',
        Arn: 'arn:aws:iam::000000000000:root',
        UserId: '000000000000',
      });
    });

    it('answers the account named by a 12-digit access key (LocalStack convention)', async () => {
      const out = await sts({ accessKeyId: '123456789012', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({}));
      expect(out).to.include({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:root' });
    });

    it('answers the IAM user that owns the access key, in the account that created it', async () => {
      const admin = iam({ accessKeyId: '222222222222', secretAccessKey: 'x' });
      const user = (await admin.send(new CreateUserCommand({ UserName: 'TestClientUser', Path: '/iot/' }))).User!;
      const { AccessKey: key } = await admin.send(new CreateAccessKeyCommand({ UserName: 'TestClientUser' }));
      const out = await sts({ accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! }).send(new GetCallerIdentityCommand({}));
      expect(out).to.include({ Account: '222222222222', Arn: 'arn:aws:iam::222222222222:user/iot/TestClientUser', UserId: user.UserId });
    });
  });

  describe('AssumeRole', () => {
    before(async () => {
      const admin = iam({ accessKeyId: '333333333333', secretAccessKey: 'x' });
      await admin.send(new CreateRoleCommand({ RoleName: 'ApiExecutionRole', AssumeRolePolicyDocument: trustLambdaAndDefaultAccount }));
      const listRoles = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }] });
      await admin.send(new PutRolePolicyCommand({ RoleName: 'ApiExecutionRole', PolicyName: 'ListRoles', PolicyDocument: listRoles }));
      await admin.send(new CreateRoleCommand({ RoleName: 'Pathed', Path: '/service-role/', AssumeRolePolicyDocument: trustLambdaAndDefaultAccount, MaxSessionDuration: 7200 }));
    });

    it('issues temporary credentials that act as the assumed role in its account', async () => {
      const out = await sts().send(
        new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/ApiExecutionRole', RoleSessionName: 'invocation-1', DurationSeconds: 900 }),
      );
      const credentials = out.Credentials!;
      expect(credentials.AccessKeyId).to.match(/^ASIA[A-Z0-9]{16}$/);
      expect(credentials.SecretAccessKey).to.have.length(40);
      expect(credentials.SessionToken).to.be.a('string').with.length.greaterThan(100);
      expect(credentials.Expiration!.getTime()).to.be.closeTo(Date.now() + 900_000, 60_000);
      expect(out.AssumedRoleUser!.Arn).to.equal('arn:aws:sts::333333333333:assumed-role/ApiExecutionRole/invocation-1');
      expect(out.AssumedRoleUser!.AssumedRoleId).to.match(/^AROA[A-Z0-9]{17}:invocation-1$/);

      const session: Keys = { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken };
      const me = await sts(session).send(new GetCallerIdentityCommand({}));
      expect(me).to.include({ Account: '333333333333', Arn: out.AssumedRoleUser!.Arn, UserId: out.AssumedRoleUser!.AssumedRoleId });
      // The session's key resolves to the role's account for every service.
      expect((await iam(session).send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).to.include('ApiExecutionRole');
      await expectAwsError(sts(session).send(new GetSessionTokenCommand({})), 'AccessDenied', 403);
    });

    it('accepts roles with paths and honours their MaxSessionDuration', async () => {
      const out = await sts().send(
        new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/service-role/Pathed', RoleSessionName: 'ss', DurationSeconds: 7200 }),
      );
      expect(out.AssumedRoleUser!.Arn).to.equal('arn:aws:sts::333333333333:assumed-role/Pathed/ss');
      await expectAwsError(
        sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/service-role/Pathed', RoleSessionName: 'ss', DurationSeconds: 7201 })),
        'ValidationError',
        400,
        /MaxSessionDuration/,
      );
    });

    it('denies roles that do not exist and rejects malformed parameters', async () => {
      await expectAwsError(
        sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/Nope', RoleSessionName: 'x1' })),
        'AccessDenied',
        403,
        /arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role\/Nope/,
      );
      await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/ApiExecutionRole', RoleSessionName: 'bad name' })), 'ValidationError', 400);
      await expectAwsError(sts().send(new AssumeRoleCommand({ RoleArn: 'short', RoleSessionName: 'ok' })), 'ValidationError', 400);
      await expectAwsError(
        sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/ApiExecutionRole', RoleSessionName: 'ok', DurationSeconds: 60 })),
        'ValidationError',
        400,
      );
      await expectAwsError(
        sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/ApiExecutionRole', RoleSessionName: 'ok', Policy: '{oops' })),
        'MalformedPolicyDocumentException',
        400,
      );
    });
  });

  describe('GetSessionToken and GetAccessKeyInfo', () => {
    it('issues session credentials that keep the caller identity', async () => {
      const admin = iam({ accessKeyId: '444444444444', secretAccessKey: 'x' });
      await admin.send(new CreateUserCommand({ UserName: 'ops' }));
      const { AccessKey: key } = await admin.send(new CreateAccessKeyCommand({ UserName: 'ops' }));
      const asUser = sts({ accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! });
      const out = await asUser.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
      expect(out.Credentials!.AccessKeyId).to.match(/^ASIA/);
      const session = sts({ accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken });
      expect(await session.send(new GetCallerIdentityCommand({}))).to.include({ Account: '444444444444', Arn: 'arn:aws:iam::444444444444:user/ops' });
      expect((await sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: key!.AccessKeyId }))).Account).to.equal('444444444444');
      expect((await sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: out.Credentials!.AccessKeyId }))).Account).to.equal('444444444444');
      await expectAwsError(asUser.send(new GetSessionTokenCommand({ DurationSeconds: 10 })), 'ValidationError', 400);
    });
  });

  it('routes unsigned query requests by Action, refusing them with MissingAuthenticationToken as AWS does', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const unsigned = await fetch(cloud.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const refusal = await unsigned.text();
    expect(unsigned.status, refusal).to.equal(403);
    expect(refusal).to.match(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);

    const { host: _host, ...headers } = await signedHeaders(cloud.url, { method: 'POST', target: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, { service: 'sts' });
    const res = await fetch(cloud.url, { method: 'POST', headers, body });
    const xml = await res.text();
    expect(res.status, xml).to.equal(200);
    expect(xml).to.contain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).to.contain('<Arn>arn:aws:iam::000000000000:root</Arn>');
  });
});

describe('STS persistence', function () {
  it('keeps issued sessions (and IAM keys) valid across a restart', async () => {
    const state = tempDir();
    try {
      let cloud = await startTestCloud({ stateDir: state.dir });
      const admin = new IAMClient({ ...cloud.clientConfig(), credentials: { accessKeyId: '555555555555', secretAccessKey: 'x' } });
      await admin.send(new CreateRoleCommand({ RoleName: 'Persisted', AssumeRolePolicyDocument: trustLambdaAndDefaultAccount }));
      await admin.send(new CreateUserCommand({ UserName: 'keeper' }));
      const { AccessKey: key } = await admin.send(new CreateAccessKeyCommand({ UserName: 'keeper' }));
      const stsClient = new STSClient(cloud.clientConfig());
      const { Credentials: creds } = await stsClient.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::555555555555:role/Persisted', RoleSessionName: 'before-restart' }));
      admin.destroy();
      stsClient.destroy();
      await cloud.stop();

      cloud = await startTestCloud({ stateDir: state.dir });
      const asSession = new STSClient({
        ...cloud.clientConfig(),
        credentials: { accessKeyId: creds!.AccessKeyId!, secretAccessKey: creds!.SecretAccessKey!, sessionToken: creds!.SessionToken },
      });
      expect(await asSession.send(new GetCallerIdentityCommand({}))).to.include({
        Account: '555555555555',
        Arn: 'arn:aws:sts::555555555555:assumed-role/Persisted/before-restart',
      });
      const asUser = new STSClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! } });
      expect((await asUser.send(new GetCallerIdentityCommand({}))).Arn).to.equal('arn:aws:iam::555555555555:user/keeper');
      asSession.destroy();
      asUser.destroy();
      await cloud.stop();
    } finally {
      state.cleanup();
    }
  });
});
