/**
 * The config helper's inline Code.ZipFile, run in-process.
 *
 * `require` is replaced for the two modules the code may load: a fake
 * `@aws-sdk/client-dynamodb` that records the UpdateItem inputs and answers as
 * each test says, and a fake `cfn-response` that records the answers. This
 * checks the handler's own logic — which expression it sends, that it answers
 * exactly once on every path — not DynamoDB or CloudFormation; the
 * end-to-end tests against the local cloud cover those.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { REPO_ROOT } from '../../../harness/build/build.js';

const template = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cloudformation/config-helper.template'), 'utf8'));
const CODE: string = template.Resources.AddConfigSetting.Properties.Code.ZipFile;
const TABLE = 'IoTRefArchConfig';

interface Answer {
  status: string;
  data: unknown;
  physicalId: string;
}

type UpdateBehaviour = (input: any) => Promise<unknown>;

/** Loads the inline code as the nodejs22.x runtime would (CommonJS, index.js) with the fakes in place. */
function loadHelper(onUpdate: UpdateBehaviour) {
  const updates: any[] = [];
  const answers: Answer[] = [];
  const required: string[] = [];
  let settle: () => void = () => {};
  const answered = new Promise<void>((resolve) => (settle = resolve));
  const fakes: Record<string, unknown> = {
    '@aws-sdk/client-dynamodb': {
      DynamoDBClient: class {
        send(command: { input: any }) {
          updates.push(command.input);
          return onUpdate(command.input);
        }
      },
      UpdateItemCommand: class {
        constructor(readonly input: any) {}
      },
    },
    'cfn-response': {
      SUCCESS: 'SUCCESS',
      FAILED: 'FAILED',
      send(_event: unknown, _context: unknown, status: string, data: unknown, physicalId: string) {
        answers.push({ status, data, physicalId });
        settle();
      },
    },
  };
  const requireFake = (name: string) => {
    required.push(name);
    if (!(name in fakes)) throw new Error(`the inline code may not require ${name}`);
    return fakes[name];
  };
  const module = { exports: {} as { handler?: (event: unknown, context: unknown) => void } };
  const run = vm.compileFunction(CODE, ['exports', 'require', 'module', 'process', 'console'], { filename: 'index.js' });
  const quietConsole = { log() {}, error() {} };
  run(module.exports, requireFake, module, { env: { CONFIG_TABLE: TABLE } }, quietConsole);
  return { handler: module.exports.handler!, updates, answers, required, answered };
}

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown>, physicalId?: string) {
  return {
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/iot-backend/5b3c1e40-0000-11ef-8000-0a1b2c3d4e5f',
    RequestId: 'a1b2c3d4-5678-90ab-cdef-111122223333',
    ResourceType: 'Custom::ConfigSetting',
    LogicalResourceId: 'SensorDataTableConfig',
    ...(physicalId === undefined ? {} : { PhysicalResourceId: physicalId }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:helper', ...properties },
  };
}

function lambdaContext(remainingMs = 30_000) {
  return { logStreamName: '2024/05/01/[$LATEST]0123456789abcdef', getRemainingTimeInMillis: () => remainingMs };
}

const SETTING = { Environment: 'demo', Key: 'SensorDataTable', Value: 'iot-backend-SensorDataTable-ABC123' };
const SETTING_ID = `${TABLE}/demo/SensorDataTable`;

async function invoke(onUpdate: UpdateBehaviour, event: unknown, context = lambdaContext()) {
  const helper = loadHelper(onUpdate);
  helper.handler(event, context);
  await helper.answered;
  await new Promise((resolve) => setTimeout(resolve, 20)); // a second answer would arrive by now
  return helper;
}

const succeed: UpdateBehaviour = async () => ({});
const fail: UpdateBehaviour = async () => {
  throw Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
};

describe('config helper inline code', () => {
  it('is CommonJS JavaScript that parses', () => {
    expect(() => new vm.Script(`(function (exports, require, module) {${CODE}\n})`, { filename: 'index.js' })).to.not.throw();
  });

  it('requires only cfn-response and @aws-sdk/client-dynamodb', () => {
    const statically = [...CODE.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]).sort();
    expect(statically).to.deep.equal(['@aws-sdk/client-dynamodb', 'cfn-response']);
    expect(loadHelper(succeed).required.sort()).to.deep.equal(['@aws-sdk/client-dynamodb', 'cfn-response']);
  });

  it('Create: SET the key through a name placeholder on item Environment=<Environment>, then SUCCESS', async () => {
    const { updates, answers } = await invoke(succeed, cfnEvent('Create', SETTING));
    expect(updates).to.deep.equal([
      {
        TableName: TABLE,
        Key: { Environment: { S: 'demo' } },
        UpdateExpression: 'SET #k = :v',
        ExpressionAttributeNames: { '#k': 'SensorDataTable' },
        ExpressionAttributeValues: { ':v': { S: 'iot-backend-SensorDataTable-ABC123' } },
      },
    ]);
    expect(answers).to.deep.equal([{ status: 'SUCCESS', data: {}, physicalId: SETTING_ID }]);
  });

  it('a reserved word as Key stays out of the expression text', async () => {
    const { updates } = await invoke(succeed, cfnEvent('Create', { ...SETTING, Key: 'Timestamp' }));
    expect(updates[0].UpdateExpression).to.equal('SET #k = :v');
    expect(updates[0].ExpressionAttributeNames).to.deep.equal({ '#k': 'Timestamp' });
  });

  it('Update keeping Environment and Key keeps the physical id, so CloudFormation sends no Delete', async () => {
    const { answers } = await invoke(succeed, cfnEvent('Update', { ...SETTING, Value: 'new-table' }, SETTING_ID));
    expect(answers).to.deep.equal([{ status: 'SUCCESS', data: {}, physicalId: SETTING_ID }]);
  });

  it('Create fails: FAILED with the error, answered once', async () => {
    const { answers } = await invoke(fail, cfnEvent('Create', SETTING));
    expect(answers).to.have.length(1);
    expect(answers[0]!.status).to.equal('FAILED');
    expect(answers[0]!.data).to.deep.equal({ Error: 'Requested resource not found' });
  });

  it('Update fails: FAILED under the existing physical id', async () => {
    const { answers } = await invoke(fail, cfnEvent('Update', SETTING, SETTING_ID));
    expect(answers).to.deep.equal([{ status: 'FAILED', data: { Error: 'Requested resource not found' }, physicalId: SETTING_ID }]);
  });

  it('invalid properties: FAILED without touching the table', async () => {
    const { updates, answers } = await invoke(succeed, cfnEvent('Create', { Environment: 'demo', Value: 'x' }));
    expect(updates).to.be.empty;
    expect(answers).to.have.length(1);
    expect(answers[0]!.status).to.equal('FAILED');
    expect(String((answers[0]!.data as { Error: string }).Error)).to.match(/Key/);
  });

  it('an unexpected exception (the client throws synchronously) still answers FAILED', async () => {
    const { answers } = await invoke(() => {
      throw new TypeError('boom');
    }, cfnEvent('Create', SETTING));
    expect(answers).to.deep.equal([{ status: 'FAILED', data: { Error: 'boom' }, physicalId: lambdaContext().logStreamName }]);
  });

  it('a call that never returns is answered FAILED before the function times out', async () => {
    const { answers } = await invoke(() => new Promise(() => {}), cfnEvent('Create', SETTING), lambdaContext(2_030));
    expect(answers).to.have.length(1);
    expect(answers[0]!.status).to.equal('FAILED');
  });

  it('Delete: REMOVE the key, SUCCESS', async () => {
    const { updates, answers } = await invoke(succeed, cfnEvent('Delete', SETTING, SETTING_ID));
    expect(updates).to.have.length(1);
    expect(updates[0]).to.deep.include({ UpdateExpression: 'REMOVE #k', ExpressionAttributeNames: { '#k': 'SensorDataTable' } });
    expect(updates[0].ExpressionAttributeValues).to.equal(undefined);
    expect(answers).to.deep.equal([{ status: 'SUCCESS', data: {}, physicalId: SETTING_ID }]);
  });

  it('Delete answers SUCCESS even when the removal fails', async () => {
    const { answers } = await invoke(fail, cfnEvent('Delete', SETTING, SETTING_ID));
    expect(answers).to.deep.equal([{ status: 'SUCCESS', data: {}, physicalId: SETTING_ID }]);
  });

  it('Delete after a failed Create (a physical id that is not ours) removes nothing', async () => {
    const logStream = lambdaContext().logStreamName;
    const { updates, answers } = await invoke(succeed, cfnEvent('Delete', SETTING, logStream));
    expect(updates).to.be.empty;
    expect(answers).to.deep.equal([{ status: 'SUCCESS', data: {}, physicalId: logStream }]);
  });

  it('Delete with invalid properties answers SUCCESS without touching the table', async () => {
    const { updates, answers } = await invoke(succeed, cfnEvent('Delete', {}, 'whatever'));
    expect(updates).to.be.empty;
    expect(answers).to.deep.equal([{ status: 'SUCCESS', data: {}, physicalId: 'whatever' }]);
  });
});
