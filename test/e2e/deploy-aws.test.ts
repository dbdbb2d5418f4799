/**
 * `make deploy-aws` / `make destroy-aws` exercised without AWS: the aws target
 * as is (standard credential chain, no endpoint of its own), pointed at an
 * embedded cloud only through AWS_ENDPOINT_URL, which the SDK honours itself.
 * If any client of the aws target set its own endpoint, this would fail to
 * reach the cloud — and nothing here can reach real AWS, because every request
 * goes to AWS_ENDPOINT_URL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { EXPECTED_OUTPUTS, outputsFile, type SavedOutputs } from '../../harness/deploy/outputs.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { isolatedEnv, runCli } from './support/cli.js';
import { uniqueName } from './support/target.js';

describe('deploy-aws / destroy-aws through AWS_ENDPOINT_URL (embedded cloud standing in for AWS)', function () {
  this.timeout(600_000);

  let cloud: TestCloud;
  let outputsDir: string;
  const stackName = uniqueName('iot-aws');
  const region = 'us-east-1';
  let env: NodeJS.ProcessEnv;

  before(async function () {
    cloud = await startTestCloud();
    outputsDir = mkdtempSync(path.join(os.tmpdir(), 'iot-aws-outputs-'));
    // A deployer as on AWS: an IAM user allowed to deploy, with an access key of its own
    // (the cloud verifies its signatures: made-up keys are refused, as AWS refuses them).
    const iam = new IAMClient(cloud.clientConfig(region));
    const userName = uniqueName('deployer');
    await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'deploy',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    iam.destroy();
    env = isolatedEnv({
      AWS_ENDPOINT_URL: cloud.url,
      // The deployer's keys through the standard chain's first source, the environment.
      AWS_ACCESS_KEY_ID: AccessKey!.AccessKeyId!,
      AWS_SECRET_ACCESS_KEY: AccessKey!.SecretAccessKey!,
      REGION: region,
      STACK: stackName,
      OUTPUTS_DIR: outputsDir,
    });
  });

  after(async function () {
    await cloud?.stop();
    if (outputsDir) rmSync(outputsDir, { recursive: true, force: true });
  });

  it('deploys: CREATE_COMPLETE, outputs saved as JSON, code in the per-account bucket', async function () {
    const result = await runCli(['deploy', '--target', 'aws'], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    expect(result.stdout).to.match(new RegExp(`stack ${stackName} CREATE_COMPLETE`));

    const cfn = new CloudFormationClient(cloud.clientConfig(region));
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    expect(Stacks?.[0]?.StackStatus).to.equal('CREATE_COMPLETE');

    const file = outputsFile('aws', stackName, outputsDir);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedOutputs;
    expect(saved.target).to.equal('aws');
    expect(saved.region).to.equal(region);
    expect(saved.endpoint, 'the aws target sets no endpoint of its own').to.equal(undefined);
    for (const key of EXPECTED_OUTPUTS) expect(saved.outputs[key], key).to.be.a('string').and.not.equal('');
    expect(saved.codeBucket).to.match(/^iot-backend-code-\d{12}-us-east-1$/);

    const s3 = new S3Client({ ...cloud.clientConfig(region), forcePathStyle: true });
    await s3.send(new HeadBucketCommand({ Bucket: saved.codeBucket }));
  });

  it('deploying again is a no-op', async function () {
    const result = await runCli(['deploy', '--target', 'aws', '--skip-build'], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    expect(result.stdout).to.match(/up to date/);
    expect(result.stdout).to.match(/0 uploaded/);
  });

  it('destroys: stack gone, outputs file removed', async function () {
    const result = await runCli(['destroy', '--target', 'aws'], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    const cfn = new CloudFormationClient(cloud.clientConfig(region));
    const status = await cfn.send(new DescribeStacksCommand({ StackName: stackName })).then(
      (r) => r.Stacks?.[0]?.StackStatus,
      (e: Error) => (/does not exist/.test(e.message) ? 'gone' : e.message),
    );
    expect(status === 'gone' || status === 'DELETE_COMPLETE', String(status)).to.equal(true);
    expect(existsSync(outputsFile('aws', stackName, outputsDir))).to.equal(false);
  });
});
