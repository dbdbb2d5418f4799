import path from 'node:path';
import { OUTPUTS_DIR_OPTION, STACK_OPTION, TARGET_OPTION } from '../cli/common.js';
import type { OptionValues } from '../cli/options.js';
import { loadOutputs, outputsFile } from '../deploy/outputs.js';
import { isTargetName } from '../targets/index.js';
import { UserError } from '../support/errors.js';
import { displayPath } from '../support/paths.js';
import type { Reporter } from '../support/terminal.js';
import type { Command } from './types.js';

export const outputsCommand: Command = {
  name: 'outputs',
  brief: 'print the saved stack outputs',
  usage: 'tsx harness/cli.ts outputs [--json] [options]',
  summary:
    'Prints the outputs saved by the last deploy of the stack on the target (secrets included: they are\n' +
    "the test client's keys). --json prints the saved file as it is, for scripts.",
  options: [
    TARGET_OPTION,
    STACK_OPTION,
    OUTPUTS_DIR_OPTION,
    { flag: 'json', type: 'boolean', default: false, description: 'print the saved JSON document' },
  ],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const target = String(values.target);
    if (!isTargetName(target)) throw new UserError(`unknown target '${target}'`, 2);
    const dir = path.resolve(String(values.outputsDir));
    const saved = loadOutputs(target, String(values.stack), dir);
    if (values.json) {
      reporter.info(JSON.stringify(saved, null, 2));
      return 0;
    }
    reporter.info(`Stack ${saved.stackName} on ${saved.target}${saved.endpoint ? ` (${saved.endpoint})` : ''}, ${saved.region}, deployed ${saved.updatedAt}`);
    const width = Math.max(...Object.keys(saved.outputs).map((k) => k.length)) + 2;
    for (const [k, v] of Object.entries(saved.outputs).sort(([a], [b]) => a.localeCompare(b))) reporter.info(`  ${k.padEnd(width)}${v}`);
    reporter.info(`  (from ${displayPath(outputsFile(target, saved.stackName, dir))})`);
    return 0;
  },
};
