import path from 'node:path';
import { shuttingDown } from '../../core/callback-engine.js';
import { PerAccountRegion } from '../../core/per-account-region.js';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { jsonProtocol } from '../../protocols/json.js';
import { tooDeep } from './attribute-nesting.js';
import { DynaliteEngine } from './engine.js';
import { dynamoDbOperations } from './operations.js';

/**
 * DynamoDB, served by dynalite in-process: one engine per account and region
 * (tables are scoped to both on AWS), each persisted under
 * `<stateDir>/dynamodb/<account>/<region>/` or kept in memory. Idle engines
 * past PerAccountRegion's bound are closed and reopen on their next request.
 */
export function createDynamoDbService(ctx: CloudContext): ServiceProvider {
  const engines = new PerAccountRegion<DynaliteEngine>({
    open: (accountId, region) =>
      DynaliteEngine.open({
        path: ctx.stateDir ? path.join(ctx.stateDir, 'dynamodb', accountId, region) : undefined,
        accountId,
        region,
        log: ctx.log,
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

  return {
    name: 'dynamodb',
    routes: { signingNames: ['dynamodb'], targetPrefixes: ['DynamoDB_20120810'] },
    // Each request holds its account and region's engine, so an idle-engine sweep never closes it mid-request.
    handle: (req) => engines.use(req.accountId, req.region, () => handleJson(req)),
    async start() {
      // Open the default account's store now, so a locked state directory fails the start, not a request.
      await engines.get(ctx.defaultAccountId, ctx.defaultRegion);
    },
    stop: () => engines.close(),
  };
}
