import { CODE_OPTIONS, TARGET_OPTIONS, commonSettings, connect, type CommonSettings } from '../cli/common.js';
import type { OptionSpec, OptionValues } from '../cli/options.js';
import { destroyStack } from '../deploy/destroy.js';
import { removeOutputs } from '../deploy/outputs.js';
import { assertValidStackName } from '../deploy/stack-name.js';
import { cleanupOnInterrupt } from '../support/interrupt.js';
import type { Reporter } from '../support/terminal.js';
import type { Command } from './types.js';

export const KEEP_CODE_OPTION: OptionSpec = {
  flag: 'keep-code',
  type: 'boolean',
  env: 'KEEP_CODE',
  default: false,
  description: 'keep the uploaded code and the code bucket',
};

export const destroyCommand: Command = {
  name: 'destroy',
  brief: 'empty the archive bucket, delete the stack and its log groups',
  usage: 'tsx harness/cli.ts destroy [options]',
  summary:
    "Removes the stack the way the original's cleanup steps say: empties the archive bucket, deletes the\n" +
    "stack (nested stack included), deletes the functions' log groups /aws/lambda/<fn>; then removes the\n" +
    'uploaded code and the code bucket if nothing else is in it.',
  options: [...TARGET_OPTIONS, ...CODE_OPTIONS, KEEP_CODE_OPTION],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const settings = commonSettings(values);
    assertValidStackName(settings.stackName);
    await destroyOnTarget(settings, values, reporter);
    return 0;
  },
};

/** Connects to the target, destroys the stack there, forgets its saved outputs, and disconnects. */
export async function destroyOnTarget(settings: CommonSettings, values: OptionValues, reporter: Reporter): Promise<void> {
  const connection = await connect(settings);
  const forgetCleanup = cleanupOnInterrupt(() => connection.stop());
  try {
    await destroyStack({
      connection,
      stackName: settings.stackName,
      codeBucket: values.codeBucket as string | undefined,
      codeKeyPrefix: String(values.codeKeyPrefix),
      keepCode: Boolean(values.keepCode),
      reporter,
    });
    removeOutputs(settings.targetName, settings.stackName, settings.outputsDir);
  } finally {
    forgetCleanup();
    await connection.stop();
  }
}
