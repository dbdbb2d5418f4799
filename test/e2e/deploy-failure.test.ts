/**
 * A deploy that fails deep down — inside the nested config-helper stack —
 * must say which resource failed and why, in one summary line, and the next
 * deploy must recover from the ROLLBACK_COMPLETE stack it left (AWS allows
 * nothing but deleting such a stack).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { deployStack } from '../../harness/deploy/deploy.js';
import { destroyStack } from '../../harness/deploy/destroy.js';
import { NESTED_TEMPLATE_PATH } from '../../harness/support/paths.js';
import { UserError } from '../../harness/support/errors.js';
import { collectingReporter } from '../../harness/support/terminal.js';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { clientConfig, type Connection } from '../../harness/targets/index.js';
import { buildZips, e2eTargetName, openFreshTarget, uniqueName } from './support/target.js';

const targetName = e2eTargetName();

describe(`a failing deploy (TARGET=${targetName})`, function () {
  this.timeout(600_000);

  let connection: Connection | undefined;
  let zips: { dir: string; cleanup(): void } | undefined;
  let brokenDir: string | undefined;
  const stackName = uniqueName('iot-fail');
  const codeBucket = uniqueName('iot-fail-code');
  const codeKeyPrefix = 'iot-backend';

  before(async function () {
    const opened = await openFreshTarget(targetName);
    if ('skip' in opened) {
      console.log(`    skipped: ${opened.skip}`);
      this.skip();
    }
    connection = opened.connection;
    zips = await buildZips();
    brokenDir = mkdtempSync(path.join(os.tmpdir(), 'iot-fail-'));
  });

  after(async function () {
    if (connection) {
      await destroyStack({ connection, stackName, codeBucket, codeKeyPrefix, reporter: collectingReporter() }).catch(() => {});
      await connection.stop();
    }
    zips?.cleanup();
    if (brokenDir) rmSync(brokenDir, { recursive: true, force: true });
  });

  it('names the failed nested resource and its reason, and rolls back', async function () {
    // A runtime no Lambda accepts: the nested stack's function fails to create.
    const template = JSON.parse(readFileSync(NESTED_TEMPLATE_PATH, 'utf8')) as { Resources: { AddConfigSetting: { Properties: { Runtime: string } } } };
    template.Resources.AddConfigSetting.Properties.Runtime = 'nodejs0.x';
    const broken = path.join(brokenDir!, 'config-helper.template');
    writeFileSync(broken, JSON.stringify(template, null, 2));

    const reporter = collectingReporter();
    let failure: unknown;
    try {
      await deployStack({ connection: connection!, stackName, codeBucket, codeKeyPrefix, artifactsDir: zips!.dir, nestedTemplatePath: broken, reporter });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(UserError);
    const message = (failure as Error).message;
    expect(message.split('\n')).to.have.length(1);
    expect(message).to.match(new RegExp(`deploy of stack ${stackName} failed, now ROLLBACK_COMPLETE: ConfigHelperStack/AddConfigSetting \\(AWS::Lambda::Function\\) CREATE_FAILED: `));
    expect(message).to.match(/nodejs0\.x|[Rr]untime/);
    expect(reporter.lines.some((l) => l.startsWith('✗ ConfigHelperStack/AddConfigSetting'))).to.equal(true);
    // The nested stack's own events were shown live, as ConfigHelperStack/<resource>.
    expect(reporter.lines.some((l) => /ConfigHelperStack\/AddConfigSetting\s+AWS::Lambda::Function\s+CREATE_FAILED/.test(l))).to.equal(true);
  });

  it('recovers on the next deploy: the dead stack is replaced and created', async function () {
    const reporter = collectingReporter();
    const result = await deployStack({ connection: connection!, stackName, codeBucket, codeKeyPrefix, artifactsDir: zips!.dir, reporter });
    expect(result.status).to.equal('CREATE_COMPLETE');
    expect(reporter.lines.some((l) => /ROLLBACK_COMPLETE after a failed first create/.test(l))).to.equal(true);
  });

  it('refuses a second IoT backend stack up front: the config table name is fixed', async function () {
    const other = uniqueName('iot-second');
    let failure: unknown;
    try {
      await deployStack({ connection: connection!, stackName: other, codeBucket, codeKeyPrefix, artifactsDir: zips!.dir, reporter: collectingReporter() });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(UserError);
    expect((failure as Error).message).to.match(new RegExp(`stack ${other} cannot be created here: .*IoTRefArchConfig.*already exists`));
    const cfn = new CloudFormationClient(clientConfig(connection!));
    const found = await cfn.send(new DescribeStacksCommand({ StackName: other })).then(
      () => 'exists',
      (e: Error) => e.message,
    );
    expect(found).to.match(/does not exist/);
  });
});
