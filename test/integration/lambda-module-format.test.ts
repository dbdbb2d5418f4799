import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { startTestCloud, tempDir, type TestCloud } from '../support/cloud.js';
import { createExecutionRole } from '../support/roles.js';

/** A zip holding one CommonJS `index.js`, as CloudFormation makes from an inline ZipFile. */
function commonJsZip(source: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(source), 'index.js', { mtime: new Date(0) });
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

// `make up` keeps state in .localcloud/state inside this project, whose package.json says
// "type": "module". Function code extracted there must still be CommonJS by default, as on AWS.
describe('Lambda code under a project with "type": "module"', function () {
  this.timeout(60_000);
  const project = tempDir('lambda-esm-project-');
  let cloud: TestCloud;

  before(async () => {
    writeFileSync(path.join(project.dir, 'package.json'), '{"type": "module"}\n');
    const stateDir = path.join(project.dir, '.localcloud', 'state');
    mkdirSync(stateDir, { recursive: true });
    cloud = await startTestCloud({ stateDir });
  });
  after(async () => {
    await cloud.stop();
    project.cleanup();
  });

  it('runs a CommonJS index.js that requires the SDK and cfn-response', async () => {
    const lambda = new LambdaClient(cloud.clientConfig());
    const source = `const response = require('cfn-response');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
exports.handler = async () => ({ send: typeof response.send, client: typeof DynamoDBClient });`;
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'commonjs-under-esm-project',
      Runtime: 'nodejs22.x',
      Role: await createExecutionRole(cloud.clientConfig(), 'commonjs-under-esm-project'),
      Handler: 'index.handler',
      Code: { ZipFile: await commonJsZip(source) },
    }));
    const result = await lambda.send(new InvokeCommand({ FunctionName: 'commonjs-under-esm-project' }));
    const payload = JSON.parse(Buffer.from(result.Payload!).toString('utf8'));
    expect(result.FunctionError, JSON.stringify(payload)).to.equal(undefined);
    expect(payload).to.deep.equal({ send: 'function', client: 'function' });
    lambda.destroy();
  });
});
