import { CODE_OPTIONS, TARGET_OPTIONS, commonSettings, connect, printableOutputs, type CommonSettings } from '../cli/common.js';
import type { OptionValues } from '../cli/options.js';
import { deployStack, type DeployResult } from '../deploy/deploy.js';
import { saveOutputs } from '../deploy/outputs.js';
import { assertValidStackName } from '../deploy/stack-name.js';
import { displayPath } from '../support/paths.js';
import { cleanupOnInterrupt } from '../support/interrupt.js';
import type { Reporter } from '../support/terminal.js';
import type { Connection } from '../targets/types.js';
import { SKIP_BUILD_OPTION, buildStep } from './build-step.js';
import type { Command } from './types.js';

export const deployCommand: Command = {
  name: 'deploy',
  brief: 'build, upload and create/update the stack through a change set',
  usage: 'tsx harness/cli.ts deploy [options]',
  summary:
    'Builds the functions, uploads them and the nested template to the code bucket, and creates or updates\n' +
    'the stack through a change set, printing each resource as it completes. Saves the outputs as JSON.\n' +
    'Nothing changed: a quick no-op. On the embedded target a cloud is started from the state folder\n' +
    'when none runs (and stopped afterwards), or the one `make up` runs is used.',
  options: [...TARGET_OPTIONS, ...CODE_OPTIONS, SKIP_BUILD_OPTION],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const settings = commonSettings(values);
    // Cheap checks first: a bad name should not cost a build or a cloud start.
    assertValidStackName(settings.stackName);
    const connection = await connect(settings);
    const forgetCleanup = cleanupOnInterrupt(() => connection.stop());
    try {
      if (!values.skipBuild) await buildStep(reporter);
      const { result, file } = await deployAndSaveOutputs(settings, connection, values, reporter);
      reporter.info('Outputs:');
      for (const line of printableOutputs(result.outputs)) reporter.info(line);
      reporter.info(`  saved to ${displayPath(file)}`);
      return 0;
    } finally {
      forgetCleanup();
      await connection.stop();
    }
  },
};

/** Deploys the stack on a connected target and saves its outputs as JSON; `up` and `deploy` both start here. */
export async function deployAndSaveOutputs(
  settings: CommonSettings,
  connection: Connection,
  values: OptionValues,
  reporter: Reporter,
): Promise<{ result: DeployResult; file: string }> {
  const result = await deployStack({
    connection,
    stackName: settings.stackName,
    codeBucket: values.codeBucket as string | undefined,
    codeKeyPrefix: String(values.codeKeyPrefix),
    reporter,
  });
  const file = saveOutputs(
    {
      target: settings.targetName,
      stackName: result.stackName,
      stackId: result.stackId,
      region: connection.region,
      ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
      codeBucket: result.codeBucket,
      outputs: result.outputs,
      updatedAt: new Date().toISOString(),
    },
    settings.outputsDir,
  );
  return { result, file };
}
