/**
 * `make logs`: follows the log groups of a stack's functions until stopped,
 * printing each event as it arrives, in time order across functions.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { errorMessage, errorName } from '../support/errors.js';
import type { Paint } from '../support/terminal.js';
import { clientConfig, type Connection } from '../targets/index.js';
import { LogGroupCursor } from './cursor.js';
import { FUNCTION_COLOURS, formatLogEvent, type LogSource } from './format.js';
import { logGroupOf, type StackFunction } from './stack-functions.js';

export interface FollowOptions {
  connection: Connection;
  functions: StackFunction[];
  /** Epoch milliseconds of the oldest event to print. */
  since: number;
  /** A CloudWatch Logs filter pattern, applied by the service. */
  filterPattern?: string;
  /** Time between polls of every group. */
  intervalMs: number;
  paint: Paint;
  write(text: string): void;
  signal: AbortSignal;
}

/** Throttled (FilterLogEvents allows a few calls a second per account on AWS): poll less often, up to this. */
const MAX_BACKOFF_MS = 10_000;

/**
 * Local clouds answer at once, so four polls a second keep a line within a
 * second of its invocation; on AWS, FilterLogEvents' account-wide quota (a few
 * calls a second) and ingestion delay make one round a second the useful pace.
 */
export function pollInterval(connection: Pick<Connection, 'local'>): number {
  return connection.local ? 250 : 1000;
}

export async function followLogs(options: FollowOptions): Promise<void> {
  const { connection, functions, paint, signal } = options;
  const client = new CloudWatchLogsClient(clientConfig(connection));
  const labelWidth = Math.max(...functions.map((f) => f.logicalId.length));
  const followed = functions.map((fn, i) => ({
    source: { label: fn.logicalId, colour: FUNCTION_COLOURS[i % FUNCTION_COLOURS.length]! } satisfies LogSource,
    cursor: new LogGroupCursor(client, logGroupOf(fn), options.since, options.filterPattern),
  }));
  let delay = options.intervalMs;
  try {
    while (!signal.aborted) {
      const started = Date.now();
      try {
        const batches = await Promise.all(followed.map(async (f) => (await f.cursor.poll(signal)).map((event) => ({ event, source: f.source }))));
        const events = batches.flat().sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0));
        for (const { event, source } of events) {
          const text = formatLogEvent(event, source, { paint, labelWidth });
          if (text !== undefined) options.write(`${text}\n`);
        }
        delay = options.intervalMs;
      } catch (error) {
        if (signal.aborted) break;
        if (!isThrottling(error)) throw error;
        delay = Math.min(MAX_BACKOFF_MS, delay * 2);
      }
      await sleep(Math.max(0, delay - (Date.now() - started)), signal);
    }
  } finally {
    client.destroy();
  }
}

function isThrottling(error: unknown): boolean {
  const name = errorName(error);
  return name === 'ThrottlingException' || name === 'LimitExceededException' || /rate exceeded/i.test(errorMessage(error));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
