import { DynamoDBClient, ListTablesCommand, PutItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const run = promisify(execFile);

/** A user allowed to write one table and list tables, and (unused) to delete items. */
const POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Write', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/readings' },
    { Sid: 'Unused', Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
  ],
};

async function userCloud(iam: 'enforce' | 'report'): Promise<{ cloud: TestCloud; logs: string[]; user: DynamoDBClient }> {
  const logs: string[] = [];
  const cloud = await startTestCloud({ iam, log: (m) => logs.push(m) });
  const admin = new IAMClient(cloud.clientConfig());
  await admin.send(new CreateUserCommand({ UserName: 'writer' }));
  await admin.send(new PutUserPolicyCommand({ UserName: 'writer', PolicyName: 'writer', PolicyDocument: JSON.stringify(POLICY) }));
  const key = (await admin.send(new CreateAccessKeyCommand({ UserName: 'writer' }))).AccessKey!;
  admin.destroy();
  const root = new DynamoDBClient(cloud.clientConfig());
  await root.send(
    new CreateTableCommand({
      TableName: 'readings',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  root.destroy();
  const user = new DynamoDBClient({ ...cloud.clientConfig(), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
  return { cloud, logs, user };
}

interface Report {
  mode: string;
  principals: { principal: string; used: Record<string, string[]>; denied: { action: string; count: number; reason: string }[]; leastPrivilegePolicy: { Statement: unknown[] }; unused: { sid?: string; actions: string[]; partly?: boolean }[] }[];
}

describe('IAM report (localcloud iam report)', function () {
  this.timeout(120_000);

  it('shows per principal what ran, what was denied and why, a least-privilege policy, and grants never used', async () => {
    const { cloud, user } = await userCloud('enforce');
    try {
      await user.send(new PutItemCommand({ TableName: 'readings', Item: { id: { S: '1' } } }));
      await user.send(new PutItemCommand({ TableName: 'readings', Item: { id: { S: '2' } } }));
      const denied = await user.send(new ListTablesCommand({})).then(() => undefined, (err: Error) => err);
      expect(denied?.name).to.equal('AccessDeniedException');

      const report = (await (await fetch(`${cloud.url}/_localcloud/iam/report`)).json()) as Report;
      expect(report.mode).to.equal('enforce');
      const writer = report.principals.find((p) => p.principal === 'arn:aws:iam::000000000000:user/writer')!;
      expect(writer.used).to.deep.equal({ 'dynamodb:PutItem': ['arn:aws:dynamodb:us-east-1:000000000000:table/readings'] });
      expect(writer.denied).to.have.length(1);
      expect(writer.denied[0]).to.include({ action: 'dynamodb:ListTables', count: 1 });
      expect(writer.denied[0].reason).to.include('because no identity-based policy allows the dynamodb:ListTables action');
      expect(JSON.stringify(writer.leastPrivilegePolicy)).to.include('dynamodb:PutItem').and.not.include('DeleteItem');
      // The Write statement was used for PutItem only; the sqs statement never.
      expect(writer.unused).to.deep.include({ policy: 'inline:user/writer/writer', sid: 'Write', statementIndex: 0, actions: ['dynamodb:DeleteItem'], resources: [POLICY.Statement[0].Resource as string], partly: true });
      expect(writer.unused.some((u) => u.sid === 'Unused' && !u.partly)).to.equal(true);

      // The CLI prints the same report for a terminal.
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'localcloud/cli.ts', 'iam', 'report', '--endpoint', cloud.url]);
      expect(stdout).to.include('arn:aws:iam::000000000000:user/writer').and.include('granted but never used').and.include('dynamodb:ListTables');
    } finally {
      user.destroy();
      await cloud.stop();
    }
  });

  it('report mode allows what enforce would deny and logs one line naming principal, action, resource and why', async () => {
    const { cloud, logs, user } = await userCloud('report');
    try {
      const tables = await user.send(new ListTablesCommand({}));
      expect(tables.TableNames).to.include('readings');
      const line = logs.find((m) => m.includes('would deny dynamodb:ListTables'));
      expect(line, logs.join('\n')).to.match(/arn:aws:iam::000000000000:user\/writer/).and.match(/no identity-based policy allows/);
      const report = (await (await fetch(`${cloud.url}/_localcloud/iam/report`)).json()) as Report;
      expect(report.mode).to.equal('report');
      expect(report.principals.find((p) => p.principal.endsWith(':user/writer'))!.denied[0]).to.include({ action: 'dynamodb:ListTables' });
    } finally {
      user.destroy();
      await cloud.stop();
    }
  });
});
