/**
 * Structured logging: one JSON object per line, so CloudWatch Logs Insights
 * (and a grep in the local cloud) can filter on fields instead of parsing prose.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line, e.g. the request id. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

// process.stdout rather than console.log: the Lambda runtime prefixes console
// lines with a timestamp and request id, which would break the one-JSON-object
// per line contract; both streams end up in the function's log group.
const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(
  base: LogFields = {},
  sink: LogSink = stdoutSink,
  clock: () => Date = () => new Date(),
): Logger {
  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    const entry = { time: clock().toISOString(), level, message, ...base, ...fields };
    sink(JSON.stringify(entry, jsonSafe));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink, clock),
  };
}

/** JSON.stringify drops an Error's fields and throws on bigint; neither may cost us a log line. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
