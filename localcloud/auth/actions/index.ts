/**
 * What a request would do, in IAM's terms: the action(s) and resource ARN(s)
 * AWS's Service Authorization Reference gives for each operation localcloud
 * serves. The policy evaluator asks this once per request and checks each
 * permission; an empty list means the operation needs none (STS
 * GetCallerIdentity).
 */
import type { ServiceRequest } from '../../core/types.js';
import type { RequiredPermission } from '../types.js';
import { cloudformationPermissions } from './cloudformation.js';
import { cloudwatchPermissions } from './cloudwatch.js';
import { dynamodbPermissions } from './dynamodb.js';
import { iamPermissions } from './iam.js';
import { kinesisPermissions } from './kinesis.js';
import { lambdaPermissions } from './lambda.js';
import { logsPermissions } from './logs.js';
import type { ActionLookups, ActionMap } from './permission.js';
import { s3Permissions } from './s3.js';
import { snsPermissions } from './sns.js';
import { sqsPermissions } from './sqs.js';
import { ssmPermissions } from './ssm.js';
import { stsPermissions } from './sts.js';

export type { ActionLookups, ActionMap } from './permission.js';

/** Each service's action map, by the provider's name (as `/_localstack/health` spells it). */
export const ACTION_MAPS: Readonly<Record<string, ActionMap>> = {
  s3: s3Permissions,
  dynamodb: dynamodbPermissions,
  kinesis: kinesisPermissions,
  cloudwatch: cloudwatchPermissions,
  logs: logsPermissions,
  iam: iamPermissions,
  sts: stsPermissions,
  lambda: lambdaPermissions,
  cloudformation: cloudformationPermissions,
  sqs: sqsPermissions,
  sns: snsPermissions,
  ssm: ssmPermissions,
};

/**
 * The permissions `operation` with this parsed `input` needs. A service with
 * no map still needs `<service>:<Operation>` on `*`: nothing is allowed just
 * because nobody described it.
 */
export function requiredPermissions(
  service: string,
  operation: string,
  input: unknown,
  req: ServiceRequest,
  lookups?: ActionLookups,
): RequiredPermission[] {
  const map = Object.hasOwn(ACTION_MAPS, service) ? ACTION_MAPS[service] : undefined;
  if (!map) return [{ action: `${service}:${operation}`, resource: '*' }];
  return map(operation, input ?? {}, req, lookups);
}
export { serviceLookups } from './lookups.js';
