/**
 * One CloudWatch Logs event of a Lambda function as `make logs` prints it:
 *
 *   12:04:05.123 IotApiFunction  INFO  3f2a9c1e  processing 12 records
 *   12:04:05.130 IotApiFunction  ERROR 3f2a9c1e  Invoke Error  TypeError: x is undefined
 *                                                    at handler (functions/iot_api.ts:41:9)
 *   12:04:05.131 IotApiFunction  DONE  3f2a9c1e  14.2 ms · 71 of 128 MB · cold start 103 ms
 *
 * START and END lines fold away (REPORT says the same, and more); JSON bodies
 * are pretty-printed; errors, timeouts and stack frames stand out. Pure: the
 * follower feeds it events, tests feed it strings.
 */
import type { Colour, Paint } from '../support/terminal.js';

export interface LogSource {
  /** What the line is labelled with: the function's logical id. */
  label: string;
  colour: Colour;
}

export interface FormatOptions {
  paint: Paint;
  /** Labels are padded to this width, so messages line up across functions. */
  labelWidth: number;
  /** Local time of day by default; tests pass a fixed zone. */
  timeZone?: string;
}

/** Colours handed out to functions in turn; red is kept for errors. */
export const FUNCTION_COLOURS: readonly Colour[] = ['cyan', 'magenta', 'blue', 'green', 'yellow'];

/** Platform lines that say nothing REPORT does not. */
const FOLDED = /^(START RequestId:|END RequestId:|INIT_START |EXTENSION\b|TELEMETRY\b|RUNTIME_DONE\b)/;
/** What the Node.js runtime's console writes: `<ISO time>\t<request id>\t<LEVEL>\t<message>`. */
const CONSOLE_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t([^\t]*)\t(INFO|WARN|ERROR|DEBUG|TRACE|FATAL)\t([\s\S]*)$/;
/** Lambda's own line when it stops an invocation: `<ISO time> <request id> Task timed out after 3.00 seconds`. */
const TIMEOUT_LINE = /^\S+Z ([0-9a-f-]{36}) (Task timed out after [\s\S]*)$/;
const LEVEL_COLOURS: Record<string, Colour | undefined> = { WARN: 'yellow', ERROR: 'red', FATAL: 'red', DEBUG: 'grey', TRACE: 'grey' };

interface Parsed {
  level: string;
  levelColour?: Colour;
  requestId?: string;
  /** The message's lines, already painted. */
  lines: string[];
}

/** The printed lines for one event, or undefined when it folds away. */
export function formatLogEvent(event: { timestamp?: number; message?: string }, source: LogSource, options: FormatOptions): string | undefined {
  const message = (event.message ?? '').replace(/\n+$/, '');
  if (FOLDED.test(message)) return undefined;
  const parsed = parseMessage(message, options.paint);
  if (!parsed) return undefined;
  const { paint } = options;
  const time = timeOfDay(event.timestamp ?? Date.now(), options.timeZone);
  const level = parsed.level.padEnd(5);
  const request = parsed.requestId ? `${parsed.requestId.slice(0, 8)}  ` : '';
  const prefix = `${paint('grey', time)} ${paint(source.colour, source.label.padEnd(options.labelWidth))} ${parsed.levelColour ? paint(parsed.levelColour, level) : level} ${paint('grey', request)}`;
  // Continuation lines (stack frames, pretty JSON) are indented under the message.
  const indent = ' '.repeat(time.length + 1 + options.labelWidth + 1 + level.length + 1 + request.length);
  const [first = '', ...rest] = parsed.lines;
  return [prefix + first, ...rest.map((line) => indent + line)].join('\n');
}

function parseMessage(message: string, paint: Paint): Parsed | undefined {
  if (message.startsWith('REPORT RequestId:')) return parseReport(message, paint);
  if (message.startsWith('INIT_REPORT ')) return parseInitReport(message, paint);
  if (message.startsWith('DEBUGGER ')) {
    const [, requestId, text] = /^DEBUGGER (?:RequestId: (\S+) )?([\s\S]*)$/.exec(message) ?? [];
    return { level: 'DEBUG', levelColour: 'yellow', requestId, lines: [paint('yellow', text ?? message)] };
  }
  const timeout = TIMEOUT_LINE.exec(message);
  if (timeout) return { level: 'ERROR', levelColour: 'red', requestId: timeout[1], lines: [paint('red', timeout[2]!)] };
  const consoleLine = CONSOLE_LINE.exec(message);
  if (consoleLine) {
    const [, , requestId, level, body] = consoleLine as unknown as [string, string, string, string, string];
    return { level, levelColour: LEVEL_COLOURS[level], requestId: requestId === 'undefined' ? undefined : requestId, lines: renderBody(body, level, paint) };
  }
  const structured = parseStructured(message, paint);
  if (structured) return structured;
  // Anything else (a runtime crash's lines, a custom runtime's output) as it is.
  const crash = /^RequestId: \S+ Error: /.test(message) || /^Runtime\.\w+/.test(message);
  return { level: crash ? 'ERROR' : '', levelColour: crash ? 'red' : undefined, lines: renderBody(message, crash ? 'ERROR' : '', paint) };
}

/** Fields a structured line's prefix already shows. */
const SHOWN_FIELDS = new Set(['timestamp', 'time', 'level', 'requestId', 'awsRequestId', 'message', 'function']);

/**
 * A whole event that is one JSON object with a level and a message: Lambda's
 * JSON log format (`{timestamp, level, requestId, message}`) or a structured
 * logger's line (this project's functions/shared/log.ts). The message is the
 * headline; the other fields follow, pretty-printed, an error's stack as frames.
 */
function parseStructured(message: string, paint: Paint): Parsed | undefined {
  if (!message.startsWith('{')) return undefined;
  const value = parseJson(message);
  if (!isRecord(value) || typeof value.level !== 'string' || !('message' in value)) return undefined;
  const level = value.level.toUpperCase();
  const requestId = [value.requestId, value.awsRequestId].find((v): v is string => typeof v === 'string');
  const isError = level === 'ERROR' || level === 'FATAL';
  const headline = typeof value.message === 'string' ? value.message : JSON.stringify(value.message);
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !SHOWN_FIELDS.has(key)));
  const lines = [isError ? paint('red', headline) : headline];
  let stack: string | undefined;
  for (const field of Object.values(rest)) {
    if (isRecord(field) && typeof field.stack === 'string') {
      stack = field.stack;
      delete field.stack;
    }
  }
  if (Object.keys(rest).length > 0) lines.push(...JSON.stringify(rest, null, 2).split('\n'));
  if (stack) lines.push(...stack.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => paintFrame(l.trim(), paint)));
  return { level, levelColour: LEVEL_COLOURS[level], requestId, lines };
}

/** `REPORT RequestId: …\tDuration: 12.34 ms\t…` → `12.3 ms · 71 of 128 MB · cold start 103 ms`. */
function parseReport(message: string, paint: Paint): Parsed {
  const fields = reportFields(message);
  const parts = [`${formatMs(fields['Duration'])}`];
  if (fields['Max Memory Used'] && fields['Memory Size']) parts.push(`${fields['Max Memory Used'].replace(/ MB$/, '')} of ${fields['Memory Size']}`);
  if (fields['Init Duration']) parts.push(`cold start ${formatMs(fields['Init Duration'])}`);
  const status = fields['Status'];
  const failure = status ? `${status}${fields['Error Type'] ? ` (${fields['Error Type']})` : ''}` : undefined;
  return {
    level: failure ? 'FAIL' : 'DONE',
    levelColour: failure ? 'red' : 'grey',
    requestId: /^REPORT RequestId: (\S+)/.exec(message)?.[1],
    lines: [paint('grey', parts.join(' · ')) + (failure ? ` ${paint('red', failure)}` : '')],
  };
}

/** INIT_REPORT only matters when init failed. */
function parseInitReport(message: string, paint: Paint): Parsed | undefined {
  const fields = reportFields(message);
  if (!fields['Status']) return undefined;
  const detail = `init ${fields['Status']} after ${formatMs(fields['Init Duration'])}${fields['Error Type'] ? ` (${fields['Error Type']})` : ''}`;
  return { level: 'FAIL', levelColour: 'red', lines: [paint('red', detail)] };
}

function reportFields(message: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of message.split('\t')) {
    const colon = part.indexOf(': ');
    if (colon > 0) fields[part.slice(0, colon).replace(/^(REPORT|INIT_REPORT) /, '')] = part.slice(colon + 2).trim();
  }
  return fields;
}

function formatMs(value: string | undefined): string {
  const ms = Number.parseFloat(value ?? '');
  if (!Number.isFinite(ms)) return '? ms';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/**
 * A message body's lines: the runtime's error reports (`Invoke Error {json}`)
 * as type, message and stack; other JSON pretty-printed; stack frames dimmed
 * except those in the function's own (TypeScript) sources.
 */
function renderBody(body: string, level: string, paint: Paint): string[] {
  const isError = level === 'ERROR' || level === 'FATAL';
  const report = /^([A-Z][\w ]*?)\s+(\{[\s\S]*\})$/.exec(body);
  if (report) {
    const value = parseJson(report[2]!);
    if (isRecord(value) && typeof value.errorType === 'string') {
      const headline = `${value.errorType}: ${String(value.errorMessage ?? '')}`;
      const stack = (Array.isArray(value.stack) ? value.stack : Array.isArray(value.trace) ? value.trace : []).map(String);
      const frames = stack[0]?.startsWith(`${value.errorType}`) ? stack.slice(1) : stack;
      return [`${paint('grey', report[1]!)} ${paint('red', headline)}`, ...frames.map((f) => paintFrame(f.trim(), paint))];
    }
  }
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const value = parseJson(trimmed);
    if (value !== undefined) return JSON.stringify(value, null, 2).split('\n');
  }
  const lines = body.split('\n');
  return lines.map((line, i) => {
    if (/^\s+at /.test(line)) return paintFrame(line.trim(), paint);
    if (i === 0 && isError) return paint('red', line);
    return line;
  });
}

/** `at handler (…/functions/iot_api.ts:41:9)` stands out; frames in node_modules or Node's internals recede. */
function paintFrame(frame: string, paint: Paint): string {
  const text = `  ${frame}`;
  if (/node:internal|node_modules|\(node:|bootstrap\.mjs/.test(frame)) return paint('grey', text);
  return /\.ts:\d+/.test(frame) ? paint('yellow', text) : text;
}

function timeOfDay(timestamp: number, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone }).format(new Date(timestamp));
  return `${parts}.${String(timestamp % 1000).padStart(3, '0')}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
