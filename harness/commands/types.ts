import type { OptionSpec, OptionValues } from '../cli/options.js';
import type { Reporter } from '../support/terminal.js';

export interface Command {
  name: string;
  usage: string;
  /** One line for the command list. */
  brief: string;
  /** The --help text. */
  summary: string;
  options: readonly OptionSpec[];
  /** Resolves the process exit code. */
  run(values: OptionValues, reporter: Reporter): Promise<number>;
}
