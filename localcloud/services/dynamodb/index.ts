import path from 'node:path';
import { shuttingDown } from '../../core/callback-engine.js';
import { PerAccountRegion } from '../../core/per-account-region.js';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { jsonProtocol } from '../../protocols/json.js';
import { tooDeep } from './attribute-nesting.js';
import { DynaliteEngine } from './engine.js';
import { dynamoDbOperations } from './operations.js';
import { streamsOperations, type StreamsOperation } from './streams/streams-api.js';

const STREAMS_TARGET_PREFIX = 'DynamoDBStreams_20120810';

/** What other parts of the local cloud (Lambda's stream pollers) get from `ctx.service<DynamoDbProvider>('dynamodb')`. */
export interface DynamoDbProvider extends ServiceProvider {
  /** A DynamoDB Streams API call in-process, with its input and output shapes; the caller checks IAM first. */
  readStream<O extends StreamsOperation>(
    scope: { accountId: string; region: string },
    operation: O,
    input: Parameters<(typeof streamsOperations)[O]>[1],
  ): ReturnType<(typeof streamsOperations)[O]>;
}

/**
 * DynamoDB, served by dynalite in-process: one engine per account and region
 * (tables are scoped to both on AWS), each persisted under
 * `<stateDir>/dynamodb/<account>/<region>/` or kept in memory. Idle engines
 * past PerAccountRegion's bound are closed and reopen on their next request.
 */
export function createDynamoDbService(ctx: CloudContext): DynamoDbProvider {
  const engines = new PerAccountRegion<DynaliteEngine>({
    open: (accountId, region) =>
      DynaliteEngine.open({
        path: ctx.stateDir ? path.join(ctx.stateDir, 'dynamodb', accountId, region) : undefined,
        accountId,
        region,
        log: ctx.log,
        streamAppended: (streamArn) => ctx.bus.emit('dynamodb:stream-records', { streamArn }),
      }),
    close: (engine) => engine.close(),
    closedError: () => shuttingDown('DynamoDB'),
    // In memory, tables live only in their engine: only an engine without any may be closed when idle.
    canClose: ctx.stateDir ? undefined : async (engine) => (await engine.call('ListTables', { Limit: 1 })).TableNames.length === 0,
  });
  const handleJson = jsonProtocol({
    targetPrefix: 'DynamoDB_20120810',
    version: '1.0',
    operations: dynamoDbOperations((req) => engines.get(req.accountId, req.region)),
    // 5,000 levels of maps are refused as DynamoDB refuses 33: the same ValidationException.
    tooDeep,
  });
  // The Streams API shares the engines (a table's stream lives next to it) and the signing name.
  const streamOperations = Object.fromEntries(
    Object.entries(streamsOperations).map(([name, operation]) => [
      name,
      async (input: any, req: { accountId: string; region: string }) => operation((await engines.get(req.accountId, req.region)).streams, input),
    ]),
  );
  const handleStreamsJson = jsonProtocol({ targetPrefix: STREAMS_TARGET_PREFIX, version: '1.0', operations: streamOperations, tooDeep });

  return {
    name: 'dynamodb',
    routes: { signingNames: ['dynamodb'], targetPrefixes: ['DynamoDB_20120810', STREAMS_TARGET_PREFIX] },
    // Each request holds its account and region's engine, so an idle-engine sweep never closes it mid-request.
    handle: (req) =>
      engines.use(req.accountId, req.region, () =>
        (req.headers['x-amz-target'] ?? '').startsWith(`${STREAMS_TARGET_PREFIX}.`) ? handleStreamsJson(req) : handleJson(req),
      ),
    readStream: ((scope, operation, input) =>
      engines.use(scope.accountId, scope.region, async () =>
        (streamsOperations[operation] as (s: unknown, i: unknown) => Promise<unknown>)((await engines.get(scope.accountId, scope.region)).streams, input),
      )) as DynamoDbProvider['readStream'],
    async start() {
      // Open the default account's store now, so a locked state directory fails the start, not a request.
      await engines.get(ctx.defaultAccountId, ctx.defaultRegion);
    },
    stop: () => engines.close(),
  };
}
