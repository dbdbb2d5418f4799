import type { ServiceRequest } from '../../core/types.js';
import { permission, text, unmapped, type ActionMap } from './permission.js';

/** Operations on one log group, named by `logGroupName` (or `logGroupIdentifier`). */
const GROUP_OPERATIONS = new Set([
  'CreateLogGroup', 'DeleteLogGroup', 'PutRetentionPolicy', 'DeleteRetentionPolicy', 'TagLogGroup', 'UntagLogGroup',
  'ListTagsLogGroup', 'DescribeLogStreams', 'FilterLogEvents',
]);

/** Operations on one log stream of a group. */
const STREAM_OPERATIONS = new Set(['CreateLogStream', 'DeleteLogStream', 'PutLogEvents', 'GetLogEvents']);

const ARN_OPERATIONS = new Set(['TagResource', 'UntagResource', 'ListTagsForResource']);

/**
 * CloudWatch Logs (prefix `logs`). AWS authorizes a group-level action on
 * `arn:aws:logs:<region>:<account>:log-group:<name>:log-stream:` (an empty
 * stream: the reason policies must say `log-group:<name>:*`, which that
 * matches, and not just `log-group:<name>`), a stream-level one on
 * `...:log-group:<name>:log-stream:<stream>`, and DescribeLogGroups on
 * `...:log-group::log-stream:`, as its AccessDenied messages show.
 */
export const logsPermissions: ActionMap = (operation, input, req) => {
  const action = `logs:${operation}`;
  if (operation === 'DescribeLogGroups') return [permission(action, logStreamArn(req, '', ''))];
  if (GROUP_OPERATIONS.has(operation) || STREAM_OPERATIONS.has(operation)) {
    const group = logGroupOf(input, req);
    const stream = STREAM_OPERATIONS.has(operation) ? text(input?.logStreamName) ?? '' : '';
    return [permission(action, logStreamArn(group, group.name, stream))];
  }
  if (ARN_OPERATIONS.has(operation)) return [permission(action, text(input?.resourceArn)?.replace(/:\*$/, '') ?? '*')];
  return unmapped('logs', operation);
};

interface GroupRef {
  accountId: string;
  region: string;
  name: string;
}

const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]*)(?::\*)?$/;

/** `logGroupName`, or `logGroupIdentifier`: a name or the group's ARN (which may be another account's). */
function logGroupOf(input: any, req: ServiceRequest): GroupRef {
  const identifier = text(input?.logGroupName) ?? text(input?.logGroupIdentifier) ?? '';
  const arn = LOG_GROUP_ARN.exec(identifier);
  if (arn) return { region: arn[1], accountId: arn[2], name: arn[3] };
  return { accountId: req.accountId, region: req.region, name: identifier };
}

function logStreamArn(scope: Pick<GroupRef, 'accountId' | 'region'>, group: string, stream: string): string {
  return `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${group}:log-stream:${stream}`;
}
