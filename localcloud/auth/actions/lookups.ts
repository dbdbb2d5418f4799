import type { CloudContext } from '../../core/types.js';
import type { CloudFormationService } from '../../services/cloudformation/index.js';
import type { IamProvider } from '../../services/iam/index.js';
import type { LambdaProvider } from '../../services/lambda/index.js';
import type { ActionLookups } from './permission.js';

/** The lookups the action maps use, answered by the running cloud's IAM and Lambda. */
export function serviceLookups(ctx: Pick<CloudContext, 'service'>): ActionLookups {
  return {
    iamPath: (accountId, kind, name) => ctx.service<IamProvider>('iam')?.entityPath(accountId, kind, name),
    iamUserOfAccessKey(accessKeyId) {
      const key = ctx.service<IamProvider>('iam')?.accessKey(accessKeyId);
      return key && { accountId: key.accountId, userName: key.userName };
    },
    eventSourceMappingFunctionArn: (uuid) => ctx.service<LambdaProvider>('lambda')?.eventSourceMappingFunctionArn(uuid),
    stackIdOf: (accountId, region, stackName) => ctx.service<CloudFormationService>('cloudformation')?.store.findStack(accountId, region, stackName)?.stackId,
  };
}
