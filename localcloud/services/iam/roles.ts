import type { CreateRoleCommandOutput, GetRoleCommandOutput, ListRolesCommandOutput, ListRoleTagsCommandOutput } from '@aws-sdk/client-iam';
import { accountOf, requireRole, type IamContext, type IamOperations } from './context.js';
import { deleteConflict, entityAlreadyExists } from './errors.js';
import { uniqueId } from './ids.js';
import { checkPolicySize, parsePolicyDocument } from './policy-document.js';
import { roleShape } from './shapes.js';
import * as check from './validate.js';

type Output<T> = Omit<T, '$metadata'>;

const MIN_SESSION = 3600;
const MAX_SESSION = 43200;
const TRUST_POLICY_LIMIT = 2048;

export function roleOperations(ctx: IamContext): IamOperations {
  return {
    CreateRole(input, req): Output<CreateRoleCommandOutput> {
      const { account, save } = accountOf(ctx, req);
      const name = check.name(input.RoleName, 'roleName', 64);
      if (account.roles.get(name)) throw entityAlreadyExists(`Role with name ${name} already exists.`);
      parsePolicyDocument(input.AssumeRolePolicyDocument, 'trust', 'assumeRolePolicyDocument');
      checkPolicySize(input.AssumeRolePolicyDocument, TRUST_POLICY_LIMIT, `the trust policy of role ${name}`);
      const role = {
        name,
        id: uniqueId('AROA'),
        path: check.iamPath(input.Path),
        createDate: ctx.now().toISOString(),
        inlinePolicies: {},
        attachedPolicies: [],
        tags: check.tags(input.Tags),
        assumeRolePolicyDocument: input.AssumeRolePolicyDocument as string,
        description: check.optionalText(input.Description, 'description', 1000),
        maxSessionDuration: check.integer(input.MaxSessionDuration, 'maxSessionDuration', MIN_SESSION, MAX_SESSION) ?? MIN_SESSION,
        permissionsBoundary: input.PermissionsBoundary === undefined ? undefined : check.arn(input.PermissionsBoundary, 'permissionsBoundary'),
      };
      account.roles.set(role);
      save();
      return { Role: roleShape(req.accountId, role, false) };
    },

    GetRole(input, req): Output<GetRoleCommandOutput> {
      const { account } = accountOf(ctx, req);
      return { Role: roleShape(req.accountId, requireRole(account, check.name(input.RoleName, 'roleName', 64))) };
    },

    ListRoles(input, req): Output<ListRolesCommandOutput> {
      const { account } = accountOf(ctx, req);
      const prefix = input.PathPrefix === undefined ? '/' : String(input.PathPrefix);
      const roles = account.roles.values().filter((r) => r.path.startsWith(prefix));
      const { page, IsTruncated, Marker } = check.paginate(roles, input.Marker, input.MaxItems);
      return { Roles: page.map((r) => roleShape(req.accountId, r, false)), IsTruncated, Marker };
    },

    UpdateRole(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      if (input.Description !== undefined) role.description = check.optionalText(input.Description, 'description', 1000);
      const duration = check.integer(input.MaxSessionDuration, 'maxSessionDuration', MIN_SESSION, MAX_SESSION);
      if (duration !== undefined) role.maxSessionDuration = duration;
      save();
    },

    UpdateRoleDescription(input, req) {
      const { account, save } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      role.description = check.optionalText(input.Description, 'description', 1000);
      save();
      return { Role: roleShape(req.accountId, role) };
    },

    UpdateAssumeRolePolicy(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      parsePolicyDocument(input.PolicyDocument, 'trust');
      checkPolicySize(input.PolicyDocument, TRUST_POLICY_LIMIT, `the trust policy of role ${role.name}`);
      role.assumeRolePolicyDocument = input.PolicyDocument;
      save();
    },

    DeleteRole(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      if (Object.keys(role.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (role.attachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      account.roles.delete(role.name);
      save();
    },

    TagRole(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      role.tags = check.mergeTags(role.tags, check.tags(input.Tags));
      save();
    },

    UntagRole(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      const remove = new Set(check.stringList(input.TagKeys, 'TagKeys'));
      role.tags = role.tags.filter((t) => !remove.has(t.Key));
      save();
    },

    ListRoleTags(input, req): Output<ListRoleTagsCommandOutput> {
      const { account } = accountOf(ctx, req);
      const role = requireRole(account, check.name(input.RoleName, 'roleName', 64));
      const { page, IsTruncated, Marker } = check.paginate(role.tags, input.Marker, input.MaxItems);
      return { Tags: page, IsTruncated, Marker };
    },
  };
}
