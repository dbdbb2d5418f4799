#!/usr/bin/env -S npx tsx
/**
 * The harness's one entry point: `tsx harness/cli.ts <command> [options]`.
 * The Makefile's up/down/deploy/destroy/simulate targets call it.
 *
 * Failures the user can act on print as one line and exit non-zero; a stack
 * trace only appears with DEBUG=1.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { helpText, parseOptions } from './cli/options.js';
import { deployCommand } from './commands/deploy.js';
import { destroyCommand } from './commands/destroy.js';
import { downCommand } from './commands/down.js';
import { logsCommand } from './commands/logs.js';
import { outputsCommand } from './commands/outputs.js';
import { simulateCommand } from './commands/simulate.js';
import type { Command } from './commands/types.js';
import { upCommand } from './commands/up.js';
import { UserError, errorMessage } from './support/errors.js';
import { consoleReporter, debugEnabled, painter } from './support/terminal.js';

const COMMANDS: Command[] = [upCommand, downCommand, deployCommand, destroyCommand, simulateCommand, outputsCommand, logsCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: tsx harness/cli.ts <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.brief}`),
    '',
    'Each command has --help. Options also come from environment variables (TARGET, STACK, REGION, ...).',
    'Targets: embedded (default, no Docker) | localstack (Docker) | endpoint (ENDPOINT_URL) | aws.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UserError(`unknown command '${name}': choose one of ${COMMANDS.map((c) => c.name).join(', ')} (--help lists them)`, 2);
  const { values, help } = parseOptions(command.name, command.options, rest);
  if (help) {
    process.stdout.write(`${helpText(command.usage, command.summary, command.options)}\n`);
    return 0;
  }
  return command.run(values, consoleReporter());
}

function fail(error: unknown): never {
  const paint = painter(process.stderr);
  const known = error instanceof UserError;
  const hint = known || debugEnabled() ? '' : ' (DEBUG=1 shows the stack trace)';
  process.stderr.write(`${paint('red', 'error:')} ${errorMessage(error)}${hint}\n`);
  if (debugEnabled() && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(known ? error.exitCode : 1);
}

process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);

main(process.argv.slice(2)).then((code) => process.exit(code), fail);
