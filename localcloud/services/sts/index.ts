import path from 'node:path';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { queryProtocol } from '../../protocols/query.js';
import { stsOperations } from './operations.js';
import { SessionStore } from './sessions.js';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * STS (query protocol): GetCallerIdentity, AssumeRole (roles from localcloud's
 * IAM), GetSessionToken, GetAccessKeyInfo. The temporary credentials it issues
 * resolve to their account at the gateway like any other key.
 */
export function createStsService(ctx: CloudContext): ServiceProvider {
  const sessions = new SessionStore(ctx.stateDir ? path.join(ctx.stateDir, 'sts') : undefined);
  const operations = stsOperations(ctx, sessions);
  ctx.addAccessKeyResolver?.((accessKeyId) => sessions.get(accessKeyId)?.accountId);
  return {
    name: 'sts',
    routes: { signingNames: ['sts'], queryActions: Object.keys(operations) },
    async start() {
      sessions.load();
    },
    handle: queryProtocol({ xmlns: XMLNS, operations }),
  };
}
