import type { ServiceRequest } from '../../core/types.js';
import type { RequiredPermission } from '../types.js';
import { contextOf, permission, text, unmapped, type ActionLookups, type ActionMap } from './permission.js';

type EntityKind = 'user' | 'role' | 'group';

/** Operations on the user `UserName` names. */
const USER_OPERATIONS = new Set([
  'CreateUser', 'GetUser', 'UpdateUser', 'DeleteUser', 'TagUser', 'UntagUser', 'ListUserTags', 'ListGroupsForUser',
  'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey',
  'PutUserPolicy', 'GetUserPolicy', 'ListUserPolicies', 'DeleteUserPolicy',
  'AttachUserPolicy', 'DetachUserPolicy', 'ListAttachedUserPolicies',
]);

/** Operations on the group `GroupName` names (membership changes are the group's, not the user's). */
const GROUP_OPERATIONS = new Set([
  'CreateGroup', 'GetGroup', 'DeleteGroup', 'AddUserToGroup', 'RemoveUserFromGroup',
  'PutGroupPolicy', 'GetGroupPolicy', 'ListGroupPolicies', 'DeleteGroupPolicy',
  'AttachGroupPolicy', 'DetachGroupPolicy', 'ListAttachedGroupPolicies',
]);

/** Operations on the role `RoleName` names. */
const ROLE_OPERATIONS = new Set([
  'CreateRole', 'GetRole', 'UpdateRole', 'UpdateRoleDescription', 'UpdateAssumeRolePolicy', 'DeleteRole',
  'TagRole', 'UntagRole', 'ListRoleTags',
  'PutRolePolicy', 'GetRolePolicy', 'ListRolePolicies', 'DeleteRolePolicy',
  'AttachRolePolicy', 'DetachRolePolicy', 'ListAttachedRolePolicies',
]);

/** Operations on the managed policy `PolicyArn` names. */
const POLICY_OPERATIONS = new Set([
  'GetPolicy', 'DeletePolicy', 'GetPolicyVersion', 'ListPolicyVersions', 'CreatePolicyVersion',
  'SetDefaultPolicyVersion', 'DeletePolicyVersion', 'TagPolicy', 'UntagPolicy', 'ListPolicyTags',
]);

/** Listing operations: the reference gives them no resource type. */
const ACCOUNT_OPERATIONS = new Set(['ListUsers', 'ListGroups', 'ListRoles', 'ListPolicies']);

/** Operations whose users may be implicit: without `UserName`, IAM acts on the caller's own user. */
const IMPLICIT_USER = new Set(['GetUser', 'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey']);

/**
 * IAM (prefix `iam`): actions named after their operations, on the ARN of the
 * user, group, role or policy they act on. Entity ARNs carry the entity's
 * path: Create* read it from the request, the others from the IAM service
 * (`lookups.iamPath`; `/` without it).
 */
export const iamPermissions: ActionMap = (operation, input, req, lookups) => {
  const action = `iam:${operation}`;
  const context = policyContext(input);
  if (USER_OPERATIONS.has(operation)) {
    const name = text(input?.UserName);
    if (!name && IMPLICIT_USER.has(operation)) return [permission(action, callerUserArn(req, lookups), context)];
    return [permission(action, entityArn('user', name ?? '', operation === 'CreateUser' ? input?.Path : undefined, req, lookups), context)];
  }
  if (GROUP_OPERATIONS.has(operation)) {
    return [permission(action, entityArn('group', text(input?.GroupName) ?? '', operation === 'CreateGroup' ? input?.Path : undefined, req, lookups), context)];
  }
  if (ROLE_OPERATIONS.has(operation)) {
    return [permission(action, entityArn('role', text(input?.RoleName) ?? '', operation === 'CreateRole' ? input?.Path : undefined, req, lookups), context)];
  }
  if (POLICY_OPERATIONS.has(operation)) return [permission(action, text(input?.PolicyArn) ?? '*')];
  if (operation === 'CreatePolicy') {
    return [permission(action, `arn:aws:iam::${req.accountId}:policy${normalPath(input?.Path)}${text(input?.PolicyName) ?? ''}`)];
  }
  if (operation === 'GetAccessKeyLastUsed') {
    const owner = lookups?.iamUserOfAccessKey?.(String(input?.AccessKeyId ?? ''));
    return [permission(action, owner ? entityArn('user', owner.userName, undefined, { accountId: owner.accountId }, lookups) : '*')];
  }
  if (ACCOUNT_OPERATIONS.has(operation)) return [permission(action, '*')];
  return unmapped('iam', operation);
};

/** `arn:aws:iam::<account>:<kind><path><name>`; IAM ARNs carry no region. */
function entityArn(kind: EntityKind, name: string, requestedPath: unknown, scope: Pick<ServiceRequest, 'accountId'>, lookups?: ActionLookups): string {
  const path = requestedPath !== undefined ? normalPath(requestedPath) : (lookups?.iamPath?.(scope.accountId, kind, name) ?? '/');
  return `arn:aws:iam::${scope.accountId}:${kind}${path}${name}`;
}

/**
 * The user an unnamed user operation acts on: the one whose key signed the
 * request. Other callers (the root, role sessions) get `*`; IAM refuses
 * role sessions anyway, and the root may do anything.
 */
function callerUserArn(req: ServiceRequest, lookups?: ActionLookups): string {
  const owner = req.accessKeyId ? lookups?.iamUserOfAccessKey?.(req.accessKeyId) : undefined;
  return owner ? entityArn('user', owner.userName, undefined, { accountId: owner.accountId }, lookups) : '*';
}

function normalPath(path: unknown): string {
  return typeof path === 'string' && path !== '' ? path : '/';
}

/** Condition keys IAM sets for managed-policy attachments and permissions boundaries. */
function policyContext(input: any): RequiredPermission['context'] {
  return contextOf({
    'iam:PolicyARN': text(input?.PolicyArn),
    'iam:PermissionsBoundary': text(input?.PermissionsBoundary),
  });
}
