/**
 * Issue 11: right after the project's deploy the cloud held 210 MB, two of
 * them config-helper execution environments (Node processes of ~59 MB each)
 * that served one custom-resource call apiece and would sit warm for the
 * idle timeout. Once a stack operation settles, the environments of the
 * functions that served its custom resources are stopped; the next call
 * starts a new one.
 */
import { CloudFormationClient, CreateStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import type { CloudFormationService } from '../../localcloud/services/cloudformation/index.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';
import { settledStack } from './cloudformation-support.js';

const ROLE = 'arn:aws:iam::000000000000:role/custom-resource-environments';
const PROVIDER = 'config-helper-like';
const BYSTANDER = 'not-a-custom-resource';

const PROVIDER_CODE = `
const response = require('cfn-response');
exports.handler = (event, context) => {
  response.send(event, context, response.SUCCESS, { Pid: String(process.pid) }, 'setting-' + event.LogicalResourceId);
};
`;

/** The function names of this process's child processes that are Lambda execution environments. */
function runningEnvironments(): string[] {
  const names: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      const variables = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const name = variables.find((v) => v.startsWith('AWS_LAMBDA_FUNCTION_NAME='))?.split('=')[1];
      if (name) names.push(name);
    } catch {
      // The process ended while we looked.
    }
  }
  return names.sort();
}

function template(value: string): string {
  const setting = (id: string) => ({ Type: 'Custom::ConfigSetting', Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] }, Value: `${id}-${value}` } });
  return JSON.stringify({
    Resources: {
      Provider: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: PROVIDER, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 10, Code: { ZipFile: PROVIDER_CODE } },
      },
      Bystander: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: BYSTANDER, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: 'exports.handler = async () => process.pid;' } },
      },
      // Two settings at once, as the project's template has: two environments start in parallel.
      SensorTableSetting: setting('sensors'),
      ArchiveBucketSetting: setting('archive'),
    },
  });
}

describe('CloudFormation: custom-resource environments are released once the stack operation settles', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let lambda: LambdaClient;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    lambda = new LambdaClient(cloud.clientConfig());
    expect(await createExecutionRole(cloud.clientConfig(), 'custom-resource-environments')).to.equal(ROLE);
  });
  after(async () => {
    cfn?.destroy();
    lambda?.destroy();
    await cloud?.stop();
  });

  const settled = async (stackName: string, status: string) => {
    const stack = await settledStack(cfn, stackName, 30_000);
    expect(stack.StackStatus).to.equal(status);
    await cloud.cloud.context.service<CloudFormationService>('cloudformation')!.settled(stack.StackId!);
  };
  /** Environments stop asynchronously (a signal, then the process's exit): wait for the count, up to well below Lambda's idle timeout. */
  const environmentsOnceStopped = async (expected: string[]) => {
    await waitFor(() => JSON.stringify(runningEnvironments()) === JSON.stringify(expected), 'environments to stop', 10_000).catch(() => undefined);
    return runningEnvironments();
  };

  it('leaves no environment of the custom-resource function after the deploy, and the next call starts a new one', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'settings', TemplateBody: template('v1') }));
    await settled('settings', 'CREATE_COMPLETE');
    expect(await environmentsOnceStopped([]), 'environments left after the deploy settled').to.deep.equal([]);

    // A function invoked directly afterwards is served, and kept warm as usual.
    const bystander = await lambda.send(new InvokeCommand({ FunctionName: BYSTANDER }));
    expect(bystander.FunctionError).to.equal(undefined);
    const direct = await lambda.send(new InvokeCommand({ FunctionName: PROVIDER, Payload: Buffer.from('{}') }));
    expect(direct.StatusCode).to.equal(200);
    expect(runningEnvironments()).to.deep.equal([BYSTANDER, PROVIDER].sort());

    // The next deploy's custom-resource calls work (a new environment), and are released again.
    await cfn.send(new UpdateStackCommand({ StackName: 'settings', TemplateBody: template('v2') }));
    await settled('settings', 'UPDATE_COMPLETE');
    expect(await environmentsOnceStopped([BYSTANDER]), 'environments left after the update settled').to.deep.equal([BYSTANDER]);
  });
});
