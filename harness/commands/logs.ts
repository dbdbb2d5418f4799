import { TARGET_OPTIONS, commonSettings, connect } from '../cli/common.js';
import type { OptionValues } from '../cli/options.js';
import { followLogs, pollInterval } from '../logs/follow.js';
import { parseSince } from '../logs/since.js';
import { selectFunctions, stackFunctions } from '../logs/stack-functions.js';
import { UserError, errorMessage, errorName } from '../support/errors.js';
import { takeInterrupts } from '../support/interrupt.js';
import { probeHealth } from '../support/network.js';
import type { Reporter } from '../support/terminal.js';
import type { Connection } from '../targets/index.js';
import type { Command } from './types.js';

export const logsCommand: Command = {
  name: 'logs',
  brief: "follow the stack's function logs (FUNCTION, SINCE, FILTER)",
  usage: 'tsx harness/cli.ts logs [--function IotApiFunction] [--since 10m] [--filter PATTERN] [options]',
  summary:
    "Follows the CloudWatch Logs of every Lambda function of the stack (nested stacks included) through\n" +
    'FilterLogEvents, on any target: one line per event, a colour per function, START/END folded away,\n' +
    'REPORT as duration and memory, errors and stack frames highlighted, JSON pretty-printed. Ctrl-C stops.',
  options: [
    ...TARGET_OPTIONS,
    { flag: 'function', type: 'string', env: 'FUNCTION', description: 'only these functions: logical ids or names, comma-separated' },
    { flag: 'since', type: 'string', env: 'SINCE', default: '10m', description: 'start this far back: 30s, 5m, 1h, 2d, or an ISO time' },
    { flag: 'filter', type: 'string', env: 'FILTER', description: "CloudWatch Logs filter pattern, applied by the service (e.g. '?ERROR ?WARN')" },
  ],
  async run(values: OptionValues, reporter: Reporter): Promise<number> {
    const settings = commonSettings(values);
    const since = parseSince(String(values.since));
    const connection = await connectToRunningTarget(settings);
    try {
      const all = await stackFunctions(connection, settings.stackName);
      if (all.length === 0) throw new UserError(`stack ${settings.stackName} has no Lambda functions to follow`);
      const functions = values.function ? selectFunctions(all, String(values.function), 'FUNCTION') : all;
      const { paint } = reporter;
      reporter.info(
        paint('grey', `Following ${functions.map((f) => f.logicalId).join(', ')} of ${settings.stackName} on ${connection.description}` +
          `${values.filter ? `, filter ${JSON.stringify(values.filter)}` : ''} (Ctrl-C stops)`),
      );
      const abort = new AbortController();
      const release = takeInterrupts(() => abort.abort());
      try {
        await followLogs({
          connection,
          functions,
          since,
          filterPattern: values.filter ? String(values.filter) : undefined,
          intervalMs: pollInterval(connection),
          paint,
          write: (text) => process.stdout.write(text),
          signal: abort.signal,
        });
      } catch (error) {
        throw explain(error, connection, values.filter);
      } finally {
        release();
      }
    } finally {
      await connection.stop();
    }
    return 0;
  },
};

/** `make logs` reads; it never starts a cloud. A local target that does not answer is an error that says what to run. */
async function connectToRunningTarget(settings: ReturnType<typeof commonSettings>): Promise<Connection> {
  if (settings.targetName === 'embedded' || settings.targetName === 'localstack') {
    const endpoint = `http://127.0.0.1:${settings.target.port}`;
    if (!(await probeHealth(endpoint))) {
      throw new UserError(`no ${settings.targetName === 'embedded' ? 'local cloud' : 'LocalStack'} answers on ${endpoint}: start it first (make up${settings.targetName === 'localstack' ? ' TARGET=localstack' : ''}), or set PORT`);
    }
  }
  return connect(settings);
}

function explain(error: unknown, connection: Connection, filter: unknown): unknown {
  if (error instanceof UserError) return error;
  if (errorName(error) === 'InvalidParameterException' && filter) {
    return new UserError(`FILTER=${JSON.stringify(filter)} was refused: ${errorMessage(error)}`, 2);
  }
  if (/ECONNREFUSED|socket hang up|ECONNRESET/i.test(errorMessage(error)) || errorName(error) === 'ECONNREFUSED') {
    return new UserError(`${connection.endpoint ?? 'the target'} stopped answering: was the cloud stopped?`);
  }
  return error;
}
