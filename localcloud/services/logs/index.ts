import path from 'node:path';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { jsonProtocol, type JsonOperation } from '../../protocols/json.js';
import { LogStore, type NewEvent } from './log-store.js';
import { LogsOperations } from './operations.js';

const TARGET_PREFIX = 'Logs_20140328';
const PRUNE_INTERVAL_MS = 3600 * 1000;

export type { NewEvent as LogEventInput } from './log-store.js';

export interface LogsProvider extends ServiceProvider {
  /**
   * In-process write path for other services (Lambda's function logs): appends
   * `events` ({ timestamp: epoch ms, message }) to `group`/`stream` of the
   * account and region, creating the group and stream when missing. No HTTP,
   * no PutLogEvents batch rules (events may come in any order); the events are
   * visible to GetLogEvents/FilterLogEvents at once and persisted like any other.
   *
   *   ctx.service<LogsProvider>('logs')?.appendEvents(accountId, region, '/aws/lambda/fn', stream, events)
   */
  appendEvents(accountId: string, region: string, group: string, stream: string, events: readonly NewEvent[]): void;
  /** The state model, for in-process readers (tests, the harness). */
  readonly store: LogStore;
}

/** CloudWatch Logs (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`). */
export function createLogsService(ctx: CloudContext): LogsProvider {
  const store = new LogStore(ctx.stateDir ? path.join(ctx.stateDir, 'logs') : undefined);
  const ops = new LogsOperations(store);
  const operationNames = [
    'CreateLogGroup',
    'DeleteLogGroup',
    'DescribeLogGroups',
    'PutRetentionPolicy',
    'DeleteRetentionPolicy',
    'TagResource',
    'UntagResource',
    'ListTagsForResource',
    'TagLogGroup',
    'UntagLogGroup',
    'ListTagsLogGroup',
    'CreateLogStream',
    'DeleteLogStream',
    'DescribeLogStreams',
    'PutLogEvents',
    'GetLogEvents',
    'FilterLogEvents',
  ] as const;
  const operations: Record<string, JsonOperation> = {};
  for (const name of operationNames) operations[name] = (ops[name] as JsonOperation).bind(ops);
  const handle = jsonProtocol({ targetPrefix: TARGET_PREFIX, version: '1.1', operations });

  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    name: 'logs',
    routes: { signingNames: ['logs'], targetPrefixes: [TARGET_PREFIX] },
    store,
    appendEvents: (accountId, region, group, stream, events) => ops.appendEvents(accountId, region, group, stream, events),
    async start() {
      store.load();
      pruneTimer = setInterval(() => store.prune(), PRUNE_INTERVAL_MS).unref();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      store.close();
    },
    handle,
  };
}
