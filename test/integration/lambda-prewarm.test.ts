/**
 * Edit and try: UpdateFunctionCode on a function in use starts one
 * environment of the new code at once, so the next invocation runs the new
 * code without paying a cold start (its REPORT has no Init Duration, as on
 * AWS when the init happened before the invocation).
 */
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import type { LambdaProvider } from '../../localcloud/services/lambda/index.js';
import { zipFiles } from '../fixtures/lambda/zip.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { waitFor } from '../support/wait.js';

const code = (answer: string) => zipFiles({ 'index.js': `exports.handler = async () => ({ answer: ${JSON.stringify(answer)}, pid: process.pid });\n` });

describe('Lambda: a replacement environment is pre-warmed when the code or configuration changes', function () {
  this.timeout(90_000);
  let cloud: TestCloud;
  let lambda: LambdaClient;
  let role: string;
  const ref = (name: string) => ({ accountId: '000000000000', region: 'us-east-1', name });

  before(async () => {
    cloud = await startTestCloud();
    lambda = new LambdaClient(cloud.clientConfig());
    role = await createExecutionRole(cloud.clientConfig(), 'prewarm-role');
  });
  after(async () => {
    lambda?.destroy();
    await cloud?.stop();
  });

  const runtime = () => cloud.cloud.context.service<LambdaProvider>('lambda')!.runtime;

  async function create(name: string): Promise<void> {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: await code('v1') } }));
  }

  async function invoke(name: string): Promise<{ answer: string; pid: number; report: string }> {
    const out: InvokeCommandOutput = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    return { ...JSON.parse(Buffer.from(out.Payload!).toString('utf8')), report: /REPORT RequestId:.*/.exec(log)![0] };
  }

  it('answers with the new code from an environment started before the invocation', async () => {
    await create('prewarm-code');
    const first = await invoke('prewarm-code');
    expect(first.answer).to.equal('v1');
    expect(first.report, 'the first invocation paid the cold start').to.contain('Init Duration');

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'prewarm-code', ZipFile: await code('v2') }));
    await waitFor(() => runtime().idleEnvironments(ref('prewarm-code')) === 1, 'the pre-warmed environment of the new code');
    const next = await invoke('prewarm-code');
    expect(next.answer).to.equal('v2');
    expect(next.pid).to.not.equal(first.pid);
    expect(next.report).to.not.contain('Init Duration');
  });

  it('pre-warms after UpdateFunctionConfiguration too, with the new settings', async () => {
    await create('prewarm-config');
    await invoke('prewarm-config');
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'prewarm-config', MemorySize: 256 }));
    await waitFor(() => runtime().idleEnvironments(ref('prewarm-config')) === 1, 'the pre-warmed environment of the new configuration');
    const next = await invoke('prewarm-config');
    expect(next.report).to.contain('Memory Size: 256 MB').and.not.contain('Init Duration');
  });

  it('starts nothing for a function with no environment running: its next invocation is a cold start', async () => {
    await create('prewarm-unused');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'prewarm-unused', ZipFile: await code('v2') }));
    expect(runtime().idleEnvironments(ref('prewarm-unused'))).to.equal(0);
    const next = await invoke('prewarm-unused');
    expect(next.answer).to.equal('v2');
    expect(next.report).to.contain('Init Duration');
  });
});
