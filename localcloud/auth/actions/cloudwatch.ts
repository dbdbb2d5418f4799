import type { ServiceRequest } from '../../core/types.js';
import { permission, text, unmapped, type ActionMap } from './permission.js';

const METRIC_OPERATIONS = new Set(['PutMetricData', 'GetMetricStatistics', 'GetMetricData', 'ListMetrics']);
/** Alarm operations that list or search rather than name an alarm: the reference lists them on `*`. */
const ACCOUNT_OPERATIONS = new Set(['DescribeAlarms', 'DescribeAlarmsForMetric']);
/** Operations on a set of alarms by name: one permission per alarm. */
const ALARM_LIST_OPERATIONS = new Set(['DeleteAlarms', 'EnableAlarmActions', 'DisableAlarmActions']);
const ARN_OPERATIONS = new Set(['TagResource', 'UntagResource', 'ListTagsForResource']);

/**
 * CloudWatch (prefix `cloudwatch`): metrics have no ARN, so every metric
 * action applies to `*` (PutMetricData tells policies its namespace through
 * `cloudwatch:namespace`); alarm actions apply to the alarm's ARN,
 * `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`.
 */
export const cloudwatchPermissions: ActionMap = (operation, input, req) => {
  const action = `cloudwatch:${operation}`;
  if (METRIC_OPERATIONS.has(operation)) {
    const namespace = operation === 'PutMetricData' ? text(input?.Namespace) : undefined;
    return [permission(action, '*', namespace === undefined ? undefined : { 'cloudwatch:namespace': namespace })];
  }
  if (ACCOUNT_OPERATIONS.has(operation)) return [permission(action, '*')];
  if (operation === 'PutMetricAlarm' || operation === 'SetAlarmState') return [permission(action, alarmArn(text(input?.AlarmName) ?? '', req))];
  if (operation === 'DescribeAlarmHistory') {
    const name = text(input?.AlarmName);
    return [permission(action, name ? alarmArn(name, req) : '*')];
  }
  if (ALARM_LIST_OPERATIONS.has(operation)) {
    const names = Array.isArray(input?.AlarmNames) ? input.AlarmNames.map((n: unknown) => text(n) ?? '') : [];
    return names.length > 0 ? names.map((name: string) => permission(action, alarmArn(name, req))) : [permission(action, '*')];
  }
  if (ARN_OPERATIONS.has(operation)) return [permission(action, text(input?.ResourceARN) ?? '*')];
  return unmapped('cloudwatch', operation);
};

export function alarmArn(name: string, req: Pick<ServiceRequest, 'accountId' | 'region'>): string {
  return `arn:aws:cloudwatch:${req.region}:${req.accountId}:alarm:${name}`;
}
