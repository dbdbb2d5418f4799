import { permission, text, unmapped, type ActionMap } from './permission.js';

const OPERATIONS = new Set(['PutMetricData', 'GetMetricStatistics', 'GetMetricData', 'ListMetrics']);

/**
 * CloudWatch metrics (prefix `cloudwatch`): metrics have no ARN, so every
 * metric action applies to `*`; PutMetricData tells policies its namespace
 * through `cloudwatch:namespace`.
 */
export const cloudwatchPermissions: ActionMap = (operation, input) => {
  if (!OPERATIONS.has(operation)) return unmapped('cloudwatch', operation);
  const namespace = operation === 'PutMetricData' ? text(input?.Namespace) : undefined;
  return [permission(`cloudwatch:${operation}`, '*', namespace === undefined ? undefined : { 'cloudwatch:namespace': namespace })];
};
