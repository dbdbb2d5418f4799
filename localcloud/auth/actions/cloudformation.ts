import type { ServiceRequest } from '../../core/types.js';
import type { RequiredPermission } from '../types.js';
import { contextOf, passRole, permission, text, unmapped, type ActionLookups, type ActionMap } from './permission.js';

/** Operations on the stack `StackName` names (a name or a stack id). */
const STACK_OPERATIONS = new Set([
  'CreateStack', 'UpdateStack', 'DeleteStack', 'DescribeStackEvents', 'DescribeStackResource', 'ListStackResources',
  'GetTemplate', 'CreateChangeSet', 'DescribeChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet', 'ListChangeSets',
]);

/**
 * Operations that take a stack optionally. Without one they read the whole
 * account, and the action applies to `*`.
 */
const OPTIONAL_STACK_OPERATIONS = new Set(['DescribeStacks', 'DescribeStackResources', 'GetTemplateSummary']);

const ACCOUNT_OPERATIONS = new Set(['ListStacks', 'ValidateTemplate', 'ListExports', 'ListImports']);

/** Operations that may hand the stack a service role (`RoleARN`). */
const ROLE_PASSING = new Set(['CreateStack', 'UpdateStack', 'CreateChangeSet']);

/**
 * CloudFormation (prefix `cloudformation`): stack operations, change sets
 * included, on the stack's ARN — its id when a live stack has that name (as
 * AWS names it in its denials), else `arn:aws:cloudformation:<region>:<account>:stack/<name>/*`
 * (a stack about to be created has no id yet).
 * Passing a service role also needs `iam:PassRole` on it.
 */
export const cloudformationPermissions: ActionMap = (operation, input, req, lookups) => {
  const action = `cloudformation:${operation}`;
  const stack = stackArnOf(input, req, lookups);
  if (STACK_OPERATIONS.has(operation) || (OPTIONAL_STACK_OPERATIONS.has(operation) && stack)) {
    const permissions: RequiredPermission[] = [permission(action, stack ?? '*', requestContext(operation, input))];
    const role = text(input?.RoleARN);
    if (role && ROLE_PASSING.has(operation)) permissions.push(passRole(role, 'cloudformation.amazonaws.com'));
    return permissions;
  }
  if (OPTIONAL_STACK_OPERATIONS.has(operation) || ACCOUNT_OPERATIONS.has(operation)) return [permission(action, '*', requestContext(operation, input))];
  return unmapped('cloudformation', operation);
};

const STACK_ID = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[^/]+\/[^/]+$/;

/**
 * The stack's ARN: a stack id is one already; a name becomes the id of the
 * live stack of that name, or, when there is none, the pattern of every stack
 * of that name. A change set named by ARN without `StackName` leaves the stack
 * unknown (undefined: the action then applies to `*`).
 */
function stackArnOf(input: any, req: ServiceRequest, lookups?: ActionLookups): string | undefined {
  const name = text(input?.StackName);
  if (!name) return undefined;
  if (STACK_ID.test(name)) return name;
  const live = lookups?.stackIdOf?.(req.accountId, req.region, name);
  if (live) return live;
  return `arn:aws:cloudformation:${req.region}:${req.accountId}:stack/${name}/*`;
}

/** Condition keys CloudFormation sets from the request. */
function requestContext(operation: string, input: any): RequiredPermission['context'] {
  const resourceTypes = Array.isArray(input?.ResourceTypes) ? input.ResourceTypes.filter((t: unknown) => typeof t === 'string') : undefined;
  return contextOf({
    'cloudformation:RoleArn': ROLE_PASSING.has(operation) ? text(input?.RoleARN) : undefined,
    'cloudformation:TemplateUrl': text(input?.TemplateURL),
    'cloudformation:ChangeSetName': operation.endsWith('ChangeSet') ? text(input?.ChangeSetName) : undefined,
    'cloudformation:ResourceTypes': resourceTypes?.length ? resourceTypes : undefined,
  });
}
