/**
 * Lambda-backed custom resources and Lambda functions through CloudFormation:
 * the request events as AWS sends them, answers through the ResponseURL
 * (cfn-response), Data feeding Fn::GetAtt, FAILED answers and functions
 * that never answer, updates with OldResourceProperties, a new physical ID
 * leading to a Delete of the old one, and an update of a function's code.
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetPolicyCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';
import { eventsOf, settledStack } from './cloudformation-support.js';

const ROLE = 'arn:aws:iam::000000000000:role/custom-resource-tests';
const RECORDS = 'cfn-custom-resource-events';

/**
 * A custom resource provider written the way such functions are: inline code
 * using cfn-response. It records every event it gets in S3 (so the test can
 * read them), and its answer is steered by the resource's properties.
 */
const PROVIDER_CODE = `
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const response = require('cfn-response');
const s3 = new S3Client({ forcePathStyle: true });
exports.handler = async function (event, context) {
  const props = event.ResourceProperties;
  await s3.send(new PutObjectCommand({
    Bucket: '${RECORDS}',
    Key: event.LogicalResourceId + '/' + Date.now() + '-' + event.RequestType,
    Body: JSON.stringify(event),
  }));
  if (props.Mode === 'silent') return;
  await new Promise((resolve) => {
    context.done = resolve;
    if (props.Mode === 'fail' && event.RequestType !== 'Delete') {
      response.send(event, context, response.FAILED, { Error: 'asked to fail' }, 'failed-' + event.LogicalResourceId);
    } else {
      const id = props.PhysicalId || event.PhysicalResourceId || 'echo-' + event.LogicalResourceId;
      response.send(event, context, response.SUCCESS, { Echo: props.Value + '!', Kind: event.RequestType }, id);
    }
  });
};
`;

const json = (template: unknown) => JSON.stringify(template, null, 2);

function template(resources: Record<string, unknown>, outputs: Record<string, unknown> = {}) {
  return json({
    Resources: {
      Provider: {
        Type: 'AWS::Lambda::Function',
        Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 10, Code: { ZipFile: PROVIDER_CODE } },
      },
      ...resources,
    },
    Outputs: outputs,
  });
}

const serviceToken = { 'Fn::GetAtt': ['Provider', 'Arn'] };

describe('CloudFormation custom resources and Lambda functions', function () {
  this.timeout(60_000);
  let cloud: TestCloud;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  let lambda: LambdaClient;

  before(async () => {
    cloud = await startTestCloud();
    cfn = new CloudFormationClient(cloud.clientConfig());
    s3 = new S3Client({ ...cloud.clientConfig(), forcePathStyle: true });
    lambda = new LambdaClient(cloud.clientConfig());
    await s3.send(new CreateBucketCommand({ Bucket: RECORDS }));
    expect(await createExecutionRole(cloud.clientConfig(), 'custom-resource-tests')).to.equal(ROLE);
  });
  after(async () => {
    cfn.destroy();
    s3.destroy();
    lambda.destroy();
    await cloud.stop();
  });

  /** The events the provider function received for one logical ID, oldest first. */
  async function received(logicalId: string): Promise<any[]> {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: RECORDS, Prefix: `${logicalId}/` }));
    const keys = Contents.map((c) => c.Key!).sort((a, b) => Number(a.split('/')[1]!.split('-')[0]) - Number(b.split('/')[1]!.split('-')[0]));
    return Promise.all(
      keys.map(async (Key) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: RECORDS, Key }))).Body!.transformToString())),
    );
  }

  it('sends Create, Update (with OldResourceProperties) and Delete as AWS does, and feeds Data into Fn::GetAtt', async () => {
    const first = template(
      { Echo: { Type: 'Custom::Echo', Properties: { ServiceToken: serviceToken, Value: 'one', Count: 5, Flag: true } } },
      { Echo: { Value: { 'Fn::GetAtt': ['Echo', 'Echo'] } }, Id: { Value: { Ref: 'Echo' } } },
    );
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'custom', TemplateBody: first }));
    const created = await settledStack(cfn, 'custom', 30_000);
    expect(created.StackStatus, created.StackStatusReason).to.equal('CREATE_COMPLETE');
    expect(created.Outputs).to.deep.include({ OutputKey: 'Echo', OutputValue: 'one!' });
    expect(created.Outputs).to.deep.include({ OutputKey: 'Id', OutputValue: 'echo-Echo' });

    const [create] = await received('Echo');
    expect(create).to.include({ RequestType: 'Create', StackId, LogicalResourceId: 'Echo', ResourceType: 'Custom::Echo' });
    expect(create.RequestId).to.match(/^[0-9a-f-]{36}$/);
    expect(create.ServiceToken).to.match(/^arn:aws:lambda:us-east-1:000000000000:function:custom-Provider-[A-Z0-9]{13}$/);
    expect(create.ResponseURL).to.match(/^http:\/\/127\.0\.0\.1:\d+\/cloudformation-custom-resource-response-useast1\/.+X-Amz-Signature=[0-9a-f]{64}/);
    // AWS hands every property over as a string, ServiceToken included.
    expect(create.ResourceProperties).to.deep.equal({ ServiceToken: create.ServiceToken, Value: 'one', Count: '5', Flag: 'true' });
    expect(create).not.to.have.property('PhysicalResourceId');
    expect(create).not.to.have.property('OldResourceProperties');

    // An update that answers with a new physical ID: the old one gets a Delete during cleanup.
    const second = template(
      { Echo: { Type: 'Custom::Echo', Properties: { ServiceToken: serviceToken, Value: 'two', Count: 5, Flag: true, PhysicalId: 'echo-v2' } } },
      { Echo: { Value: { 'Fn::GetAtt': ['Echo', 'Echo'] } }, Id: { Value: { Ref: 'Echo' } } },
    );
    await cfn.send(new UpdateStackCommand({ StackName: 'custom', TemplateBody: second }));
    const updated = await settledStack(cfn, 'custom', 30_000);
    expect(updated.StackStatus, updated.StackStatusReason).to.equal('UPDATE_COMPLETE');
    expect(updated.Outputs).to.deep.include({ OutputKey: 'Echo', OutputValue: 'two!' });
    expect(updated.Outputs).to.deep.include({ OutputKey: 'Id', OutputValue: 'echo-v2' });
    const [, update, cleanup] = await received('Echo');
    expect(update).to.include({ RequestType: 'Update', PhysicalResourceId: 'echo-Echo' });
    expect(update.ResourceProperties).to.include({ Value: 'two', PhysicalId: 'echo-v2' });
    expect(update.OldResourceProperties).to.deep.equal(create.ResourceProperties);
    expect(cleanup).to.include({ RequestType: 'Delete', PhysicalResourceId: 'echo-Echo' });
    expect(cleanup.ResourceProperties).to.include({ Value: 'one' });

    await cfn.send(new DeleteStackCommand({ StackName: 'custom' }));
    expect((await settledStack(cfn, StackId!, 30_000)).StackStatus).to.equal('DELETE_COMPLETE');
    const deleteEvent = (await received('Echo')).at(-1);
    expect(deleteEvent).to.include({ RequestType: 'Delete', PhysicalResourceId: 'echo-v2' });
  });

  it('fails and rolls back on a FAILED answer, sending Delete for what the function reported', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'custom-fails',
        TemplateBody: template({ Failing: { Type: 'Custom::Echo', Properties: { ServiceToken: serviceToken, Mode: 'fail', Value: 'x' } } }),
      }),
    );
    const stack = await settledStack(cfn, 'custom-fails', 30_000);
    expect(stack.StackStatus).to.equal('ROLLBACK_COMPLETE');
    const failed = (await eventsOf(cfn, 'custom-fails')).find((e) => e.ResourceStatus === 'CREATE_FAILED')!;
    expect(failed.LogicalResourceId).to.equal('Failing');
    expect(failed.PhysicalResourceId).to.equal('failed-Failing');
    expect(failed.ResourceStatusReason).to.match(
      /^Received response status \[FAILED\] from custom resource\. Message returned: See the details in CloudWatch Log Stream: .+ \(RequestId: [0-9a-f-]{36}\)$/,
    );
    const events = await received('Failing');
    expect(events.map((e) => e.RequestType)).to.deep.equal(['Create', 'Delete']);
    expect(events[1].PhysicalResourceId).to.equal('failed-Failing');
  });

  it('times out a custom resource that never answers (ServiceTimeout), and rolls back', async () => {
    const started = Date.now();
    await cfn.send(
      new CreateStackCommand({
        StackName: 'custom-silent',
        TemplateBody: template({ Silent: { Type: 'Custom::Echo', Properties: { ServiceToken: serviceToken, Mode: 'silent', ServiceTimeout: 1 } } }),
      }),
    );
    const stack = await settledStack(cfn, 'custom-silent', 30_000);
    expect(stack.StackStatus).to.equal('ROLLBACK_COMPLETE');
    expect(Date.now() - started).to.be.lessThan(15_000);
    const failed = (await eventsOf(cfn, 'custom-silent')).find((e) => e.ResourceStatus === 'CREATE_FAILED')!;
    expect(failed.ResourceStatusReason).to.match(/^CloudFormation did not receive a response from your Custom Resource\. Please check your logs for requestId \[[0-9a-f-]{36}\]/);
  });

  it('updates a function’s code in place, leaving its permission alone', async () => {
    const code = (answer: string) => `exports.handler = async () => (${JSON.stringify(answer)});`;
    const withCode = (answer: string) =>
      json({
        Resources: {
          Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code(answer) } } },
          Invokable: {
            Type: 'AWS::Lambda::Permission',
            Properties: { FunctionName: { Ref: 'Fn' }, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } },
          },
        },
        Outputs: { Name: { Value: { Ref: 'Fn' } }, Arn: { Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
      });
    await cfn.send(new CreateStackCommand({ StackName: 'function-code', TemplateBody: withCode('first') }));
    const created = await settledStack(cfn, 'function-code', 30_000);
    expect(created.StackStatus, created.StackStatusReason).to.equal('CREATE_COMPLETE');
    const name = created.Outputs!.find((o) => o.OutputKey === 'Name')!.OutputValue!;
    expect(name).to.match(/^function-code-Fn-[A-Z0-9]{13}$/);
    const invoke = async () => JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload!).toString());
    expect(await invoke()).to.equal('first');
    const { Policy } = await lambda.send(new GetPolicyCommand({ FunctionName: name }));
    expect(JSON.parse(Policy!).Statement[0]).to.deep.include({ Sid: (await eventsOf(cfn, 'function-code')).find((e) => e.LogicalResourceId === 'Invokable' && e.ResourceStatus === 'CREATE_COMPLETE')!.PhysicalResourceId });

    await cfn.send(new UpdateStackCommand({ StackName: 'function-code', TemplateBody: withCode('second') }));
    const updated = await settledStack(cfn, 'function-code', 30_000);
    expect(updated.StackStatus, updated.StackStatusReason).to.equal('UPDATE_COMPLETE');
    expect(updated.Outputs!.find((o) => o.OutputKey === 'Name')!.OutputValue).to.equal(name);
    expect(await invoke()).to.equal('second');
    const events = await eventsOf(cfn, 'function-code');
    // The permission's properties did not change (the function kept its name): only the function was updated.
    expect(events.filter((e) => e.LogicalResourceId === 'Invokable').map((e) => e.ResourceStatus)).to.deep.equal(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    expect(events.filter((e) => e.LogicalResourceId === 'Fn').map((e) => e.ResourceStatus)).to.deep.equal([
      'CREATE_IN_PROGRESS',
      'CREATE_COMPLETE',
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ]);
  });
});
