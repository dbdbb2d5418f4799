import path from 'node:path';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { jsonProtocol, type JsonOperation } from '../../protocols/json.js';
import { SsmOperations } from './operations.js';
import { ParameterStore } from './parameter-store.js';
import { SecureValues } from './secure-values.js';

const TARGET_PREFIX = 'AmazonSSM';

/** The Parameter Store operations served; the rest of SSM answers UnknownOperationException. */
export const SSM_OPERATIONS = [
  'PutParameter',
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'DeleteParameter',
  'DeleteParameters',
  'DescribeParameters',
  'GetParameterHistory',
  'LabelParameterVersion',
  'UnlabelParameterVersion',
  'AddTagsToResource',
  'RemoveTagsFromResource',
  'ListTagsForResource',
] as const;

export interface SsmProvider extends ServiceProvider {
  /**
   * In-process read for CloudFormation (parameter types, dynamic references):
   * the decrypted value of `name`, `name:<version>` or `name:<label>` in the
   * account and region, or undefined when there is no such parameter/version.
   */
  lookup(accountId: string, region: string, selector: string): { name: string; type: string; value: string; version: number } | undefined;
}

/** SSM Parameter Store (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Operation>`). */
export function createSsmService(ctx: CloudContext): SsmProvider {
  const dir = ctx.stateDir ? path.join(ctx.stateDir, 'ssm') : undefined;
  const store = new ParameterStore(dir);
  let ops: SsmOperations | undefined;
  const operations: Record<string, JsonOperation> = {};
  for (const name of SSM_OPERATIONS) operations[name] = (input, req) => (ops![name] as JsonOperation).call(ops, input, req);
  const handle = jsonProtocol({ targetPrefix: TARGET_PREFIX, version: '1.1', operations });
  return {
    name: 'ssm',
    routes: { signingNames: ['ssm'], targetPrefixes: [TARGET_PREFIX] },
    lookup: (accountId, region, selector) => ops?.lookup(accountId, region, selector),
    async start() {
      store.load();
      // The key is read (or made) at start, once the state directory is known to be usable.
      ops = new SsmOperations(store, new SecureValues(dir));
    },
    handle,
  };
}
