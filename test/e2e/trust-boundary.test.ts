/**
 * The trust boundary end to end (issue 10), on the project's stack deployed
 * the way iot-backend.test.ts deploys it: the TestClient's keys (stack outputs
 * AccessKeyId / SecretAccessKey) may do what its policy grants and nothing
 * else, refused in AWS's own error shapes and words; signatures are checked
 * (wrong secret, unknown key, tampered or stretched presigned URL); a function
 * whose role lacks a permission fails with AccessDenied and its Kinesis batch
 * is processed once a stack update grants it, nothing lost; and the browser
 * boundary (Origin, Host) holds in front of the deployed stack.
 *
 * Runs on TARGET=embedded and TARGET=endpoint (a localcloud); LocalStack does
 * not enforce IAM by default, so it is skipped there with that reason.
 */
import { Sha256 } from '../support/sign.js';
import { expect } from 'chai';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { deployStack } from '../../harness/deploy/deploy.js';
import { collectingReporter } from '../../harness/support/terminal.js';
import { clientConfig, type Connection, type Credentials } from '../../harness/targets/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { rawHttp } from '../support/raw-http.js';
import { buildZips, e2eTargetName, openFreshTarget, uniqueName } from './support/target.js';
import { waitFor } from './support/wait.js';

const targetName = e2eTargetName();

describe(`trust boundary end to end (TARGET=${targetName})`, function () {
  this.timeout(600_000);

  let connection: Connection | undefined;
  let zips: { dir: string; cleanup(): void } | undefined;
  let outputs: Record<string, string>;
  let testClient: Credentials;
  let account: string;
  let stackId: string;
  const stackName = uniqueName('iot-trust');
  const codeBucket = uniqueName('iot-trust-code');

  const config = () => clientConfig(connection!);
  const asClient = () => clientConfig(connection!, testClient);

  before(async function () {
    if (targetName === 'localstack') {
      console.log('    skipped: LocalStack does not enforce IAM or check signatures by default');
      this.skip();
    }
    const opened = await openFreshTarget(targetName);
    if ('skip' in opened) {
      console.log(`    skipped: ${opened.skip}`);
      this.skip();
    }
    connection = opened.connection;
    zips = await buildZips();
    const deployed = await deployStack({ connection, stackName, codeBucket, codeKeyPrefix: 'iot-backend', artifactsDir: zips.dir, reporter: collectingReporter() });
    outputs = deployed.outputs;
    stackId = deployed.stackId;
    testClient = { accessKeyId: outputs.AccessKeyId!, secretAccessKey: outputs.SecretAccessKey! };
    const sts = new STSClient(config());
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    sts.destroy();
  });

  after(async function () {
    await connection?.stop();
    zips?.cleanup();
  });

  /** The TestClient user's ARN, as GetCallerIdentity tells it (the template names the user). */
  async function testClientArn(): Promise<string> {
    const sts = new STSClient(asClient());
    try {
      return (await sts.send(new GetCallerIdentityCommand({}))).Arn!;
    } finally {
      sts.destroy();
    }
  }

  /** AWS's implicit-deny sentence, word for word. */
  function denied(principalArn: string, action: string, resource: string): string {
    return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
  }

  describe("the TestClient's keys", function () {
    it('belong to the IAM user the stack created, in the stack account', async function () {
      const arn = await testClientArn();
      expect(arn).to.match(new RegExp(`^arn:aws:iam::${account}:user/`));
    });

    it('may put records to the stream (kinesis:Put*)', async function () {
      const kinesis = new KinesisClient(asClient());
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: outputs.KinesisStream,
          Records: [{ Data: Buffer.from(JSON.stringify({ SensorId: 'trust-allowed', Timestamp: new Date().toISOString(), Value: 1 })), PartitionKey: 'trust-allowed' }],
        }),
      );
      expect(result.FailedRecordCount ?? 0).to.equal(0);
    });

    it('may invoke the API function (lambda:InvokeFunction)', async function () {
      const lambda = new LambdaClient(asClient());
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: outputs.LambdaAPIFunction, Payload: Buffer.from(JSON.stringify({ operation: 'query', sensorid: 'trust-allowed' })) }),
      );
      expect(result.FunctionError, Buffer.from(result.Payload ?? []).toString('utf8')).to.equal(undefined);
    });

    it('may not Scan the sensor table: AccessDeniedException, naming user, action and table', async function () {
      const arn = await testClientArn();
      const table = `arn:aws:dynamodb:${connection!.region}:${account}:table/${outputs.SensorDataTable}`;
      const error = await expectAwsError(new DynamoDBClient(asClient()).send(new ScanCommand({ TableName: outputs.SensorDataTable })), 'AccessDeniedException', 400);
      expect(error.message).to.equal(denied(arn, 'dynamodb:Scan', table));
    });

    it('may not create an IAM user: AccessDenied (403)', async function () {
      const arn = await testClientArn();
      const name = uniqueName('intruder');
      const error = await expectAwsError(new IAMClient(asClient()).send(new CreateUserCommand({ UserName: name })), 'AccessDenied', 403);
      expect(error.message).to.equal(denied(arn, 'iam:CreateUser', `arn:aws:iam::${account}:user/${name}`));
    });

    it('may not create a Lambda function: AccessDeniedException (403)', async function () {
      const arn = await testClientArn();
      const name = uniqueName('intruder');
      const error = await expectAwsError(
        new LambdaClient(asClient()).send(
          new CreateFunctionCommand({
            FunctionName: name,
            Runtime: 'nodejs20.x',
            Handler: 'index.handler',
            Role: `arn:aws:iam::${account}:role/anything`,
            Code: { ZipFile: Buffer.from('not a zip') },
          }),
        ),
        'AccessDeniedException',
        403,
      );
      expect(error.message).to.equal(denied(arn, 'lambda:CreateFunction', `arn:aws:lambda:${connection!.region}:${account}:function:${name}`));
    });

    it('may not delete the stack: AccessDenied (403), and the stack stays', async function () {
      const arn = await testClientArn();
      const error = await expectAwsError(new CloudFormationClient(asClient()).send(new DeleteStackCommand({ StackName: stackName })), 'AccessDenied', 403);
      expect(error.message).to.equal(denied(arn, 'cloudformation:DeleteStack', stackId));
      const { Stacks } = await new CloudFormationClient(config()).send(new DescribeStacksCommand({ StackName: stackName }));
      expect(Stacks?.[0]?.StackStatus).to.equal('CREATE_COMPLETE');
    });
  });

  describe('signatures', function () {
    it('refuses the right key with a wrong secret: InvalidSignatureException', async function () {
      const kinesis = new KinesisClient(clientConfig(connection!, { accessKeyId: testClient.accessKeyId, secretAccessKey: `${testClient.secretAccessKey}x` }));
      await expectAwsError(
        kinesis.send(new PutRecordsCommand({ StreamName: outputs.KinesisStream, Records: [{ Data: Buffer.from('{}'), PartitionKey: 'k' }] })),
        'InvalidSignatureException',
        400,
        /^The request signature we calculated does not match the signature you provided/,
      );
    });

    it('refuses an unknown key: UnrecognizedClientException / InvalidClientTokenId', async function () {
      const unknown = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
      await expectAwsError(
        new KinesisClient(clientConfig(connection!, unknown)).send(new PutRecordsCommand({ StreamName: outputs.KinesisStream, Records: [{ Data: Buffer.from('{}'), PartitionKey: 'k' }] })),
        'UnrecognizedClientException',
        400,
        /^The security token included in the request is invalid\.$/,
      );
      await expectAwsError(new STSClient(clientConfig(connection!, unknown)).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    });

    describe('a presigned URL (STS GetCallerIdentity, as IAM-based login schemes use it)', function () {
      let url: URL;

      before(async function () {
        url = await presignGetCallerIdentity(300);
      });

      it('works as signed: it answers as the TestClient user', async function () {
        const res = await fetch(url);
        const body = await res.text();
        expect(res.status, body).to.equal(200);
        expect(body).to.include(`<Arn>${await testClientArn()}</Arn>`);
      });

      it('refuses a tampered one (a parameter changed after signing): SignatureDoesNotMatch', async function () {
        const tampered = new URL(url);
        tampered.searchParams.set('Version', '2011-06-16');
        await expectSignatureMismatch(tampered);
      });

      it('refuses a tampered signature: SignatureDoesNotMatch', async function () {
        const tampered = new URL(url);
        const signature = tampered.searchParams.get('X-Amz-Signature')!;
        tampered.searchParams.set('X-Amz-Signature', `${signature[0] === 'a' ? 'b' : 'a'}${signature.slice(1)}`);
        await expectSignatureMismatch(tampered);
      });

      it('refuses a stretched one (X-Amz-Expires raised after signing): SignatureDoesNotMatch', async function () {
        const stretched = new URL(url);
        stretched.searchParams.set('X-Amz-Expires', '604800');
        await expectSignatureMismatch(stretched);
      });

      it('refuses one signed with a wrong secret: SignatureDoesNotMatch', async function () {
        await expectSignatureMismatch(await presignGetCallerIdentity(300, `${testClient.secretAccessKey}x`));
      });

      async function expectSignatureMismatch(target: URL): Promise<void> {
        const res = await fetch(target);
        const body = await res.text();
        expect(res.status, body).to.equal(403);
        expect(body).to.include('<Code>SignatureDoesNotMatch</Code>');
        expect(body).to.include('The request signature we calculated does not match the signature you provided.');
        expect(body).to.not.include('<Arn>');
      }
    });

    async function presignGetCallerIdentity(expiresIn: number, secretAccessKey = testClient.secretAccessKey): Promise<URL> {
      const endpoint = new URL(connection!.endpoint!);
      const signer = new SignatureV4({
        service: 'sts',
        region: connection!.region,
        credentials: { accessKeyId: testClient.accessKeyId, secretAccessKey },
        sha256: Sha256,
      });
      const signed = await signer.presign(
        {
          method: 'GET',
          protocol: endpoint.protocol,
          hostname: endpoint.hostname,
          port: Number(endpoint.port) || undefined,
          path: '/',
          query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
          headers: { host: endpoint.host },
        },
        { expiresIn },
      );
      const url = new URL(`${endpoint.origin}/`);
      for (const [key, value] of Object.entries(signed.query ?? {})) url.searchParams.set(key, String(value));
      return url;
    }
  });

  describe("a function whose role lacks a permission (an extra stack: stream → function → table)", function () {
    const probeStack = uniqueName('iot-trust-probe');
    const functionName = uniqueName('trust-writer');
    const tableName = uniqueName('trust-items');
    const records = Array.from({ length: 8 }, (_, i) => ({ id: `r${i}`, data: `reading ${i}` }));
    let roleName: string;

    after(async function () {
      if (!connection) return;
      await new CloudFormationClient(config()).send(new DeleteStackCommand({ StackName: probeStack })).catch(() => {});
    });

    it('deploys with a role that may read the stream and write logs, but not dynamodb:PutItem', async function () {
      const cfn = new CloudFormationClient(config());
      await cfn.send(new CreateStackCommand({ StackName: probeStack, TemplateBody: probeTemplate(false), Capabilities: ['CAPABILITY_IAM'] }));
      const stack = await stackSettled(cfn, probeStack);
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('CREATE_COMPLETE');
      roleName = stack.Outputs!.find((o) => o.OutputKey === 'RoleName')!.OutputValue!;
    });

    it("fails the batch with AccessDeniedException naming the role's session, dynamodb:PutItem and the table; no item is written", async function () {
      const kinesis = new KinesisClient(config());
      const streamName = (await outputOf(probeStack, 'StreamName'))!;
      const put = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: records.map((r) => ({ Data: Buffer.from(JSON.stringify(r)), PartitionKey: r.id })) }),
      );
      expect(put.FailedRecordCount ?? 0).to.equal(0);

      const logs = new CloudWatchLogsClient(config());
      const sessionArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${functionName}`;
      const table = `arn:aws:dynamodb:${connection!.region}:${account}:table/${tableName}`;
      const expected = denied(sessionArn, 'dynamodb:PutItem', table);
      const line = await waitFor(`AccessDeniedException in /aws/lambda/${functionName}`, async (note) => {
        const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }));
        note(`${events.length} log events; last: ${events.at(-1)?.message ?? ''}`);
        return events.map((e) => e.message ?? '').find((m) => m.includes('AccessDeniedException'));
      });
      expect(line).to.include(expected);
      expect(await itemIds()).to.deep.equal([]);
    });

    it('processes the failed batch once a stack update grants dynamodb:PutItem: every record arrives, none lost', async function () {
      const cfn = new CloudFormationClient(config());
      await cfn.send(new UpdateStackCommand({ StackName: probeStack, TemplateBody: probeTemplate(true), Capabilities: ['CAPABILITY_IAM'] }));
      const stack = await stackSettled(cfn, probeStack);
      expect(stack.StackStatus, stack.StackStatusReason).to.equal('UPDATE_COMPLETE');
      const ids = await waitFor(`all ${records.length} items in ${tableName}`, async (note) => {
        const found = await itemIds();
        note(`${found.length} items`);
        return found.length >= records.length ? found : undefined;
      });
      expect(ids).to.deep.equal(records.map((r) => r.id).sort());
    });

    async function itemIds(): Promise<string[]> {
      const { Items = [] } = await new DynamoDBClient(config()).send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      return Items.map((i) => i.Id!.S!).sort();
    }

    /** The extra stack; `grantPut` adds the one statement the function needs. */
    function probeTemplate(grantPut: boolean): string {
      const writes = [{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }];
      if (grantPut) writes.push({ Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } });
      const code = [
        "const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');",
        'const ddb = new DynamoDBClient({});',
        'exports.handler = async (event) => {',
        '  for (const record of event.Records) {',
        "    const body = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));",
        '    await ddb.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { Id: { S: body.id }, Data: { S: body.data } } }));',
        '  }',
        '};',
      ].join('\n');
      return JSON.stringify({
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: {
          Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } },
          Table: {
            Type: 'AWS::DynamoDB::Table',
            Properties: {
              TableName: tableName,
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: [{ AttributeName: 'Id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'Id', KeyType: 'HASH' }],
            },
          },
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
              },
              ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole'],
              Policies: [{ PolicyName: 'writes', PolicyDocument: { Version: '2012-10-17', Statement: writes } }],
            },
          },
          Function: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              FunctionName: functionName,
              Runtime: 'nodejs20.x',
              Handler: 'index.handler',
              Timeout: 10,
              Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
              Environment: { Variables: { TABLE: { Ref: 'Table' } } },
              Code: { ZipFile: code },
            },
          },
          Mapping: {
            Type: 'AWS::Lambda::EventSourceMapping',
            Properties: {
              EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
              FunctionName: { Ref: 'Function' },
              StartingPosition: 'TRIM_HORIZON',
              BatchSize: 100,
            },
          },
        },
        Outputs: {
          StreamName: { Value: { Ref: 'Stream' } },
          RoleName: { Value: { Ref: 'Role' } },
        },
      });
    }
  });

  describe('the browser boundary in front of the stack', function () {
    before(function () {
      if (targetName !== 'embedded') this.skip();
    });

    it('gives a foreign Origin no CORS grant: 403, no Access-Control-* header', async function () {
      const res = await rawHttp(connection!.endpoint!, {
        method: 'OPTIONS',
        path: `/2015-03-31/functions/${outputs.LambdaAPIFunction}/invocations`,
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-amz-date' },
      });
      expect(res.status).to.equal(403);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).to.deep.equal([]);
    });

    it('refuses a rebound Host (DNS rebinding): InvalidHostHeader', async function () {
      const port = new URL(connection!.endpoint!).port;
      const res = await rawHttp(connection!.endpoint!, {
        method: 'POST',
        path: `/2015-03-31/functions/${outputs.LambdaAPIFunction}/invocations`,
        headers: { host: `evil.example:${port}`, 'content-type': 'application/json' },
        body: JSON.stringify({ operation: 'query', sensorid: 'trust-allowed' }),
      });
      expect(res.status).to.equal(403);
      expect(res.body).to.include('InvalidHostHeader');
      expect(res.body).to.include(`Host evil.example:${port} is not a name of this localcloud`);
    });
  });

  async function outputOf(stack: string, key: string): Promise<string | undefined> {
    const { Stacks } = await new CloudFormationClient(config()).send(new DescribeStacksCommand({ StackName: stack }));
    return Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  }
});

async function stackSettled(cfn: CloudFormationClient, name: string): Promise<Stack> {
  return waitFor(`stack ${name} to settle`, async (note) => {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks?.[0];
    note(stack?.StackStatus ?? 'no stack');
    return stack && !stack.StackStatus!.endsWith('_IN_PROGRESS') ? stack : undefined;
  });
}

