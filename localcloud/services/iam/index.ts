import path from 'node:path';
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { queryProtocol } from '../../protocols/query.js';
import { accessKeyOperations } from './access-keys.js';
import type { IamContext } from './context.js';
import { groupOperations } from './groups.js';
import { findPolicy, managedPolicyOperations } from './managed-policies.js';
import { IamStore } from './model.js';
import { parsePolicyDocument, type PolicyDocument } from './policy-document.js';
import { principalPolicyOperations } from './principal-policies.js';
import { roleOperations } from './roles.js';
import { roleArn, userArn } from './shapes.js';
import { userOperations } from './users.js';

export type { PolicyDocument, PolicyStatement } from './policy-document.js';

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';
/** `arn:aws:iam::<account>:role/<path/><name>`: the account and the role's name (its last segment). */
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;

/** An access key this IAM issued, with its owner. */
export interface IssuedAccessKey {
  accountId: string;
  userName: string;
  userId: string;
  userArn: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
}

export interface RoleInfo {
  name: string;
  id: string;
  arn: string;
  path: string;
  maxSessionDuration: number;
  trustPolicy: PolicyDocument;
}

/** Every identity-based policy that applies to a principal, parsed, for a policy evaluator. */
export interface PrincipalPolicies {
  principalArn: string;
  policies: {
    kind: 'inline' | 'managed';
    name: string;
    /** Managed policies only. */
    arn?: string;
    /** Set when the policy reaches a user through one of its groups. */
    viaGroup?: string;
    document: PolicyDocument;
  }[];
  /** ARN of the permissions boundary, when one is set. */
  permissionsBoundaryArn?: string;
}

/** A principal's identity-based policies as the documents' text, for the policy evaluator. */
export interface PrincipalPolicyTexts {
  principalArn: string;
  /** `id` names the policy in reports: a managed policy's ARN, or `inline:<user|role|group>/<entity>/<policy>`. */
  policies: { id: string; document: string }[];
  permissionsBoundary?: { id: string; document: string };
}

export interface IamProvider extends ServiceProvider {
  /** Changes whenever any IAM state changes (cache key for readers). */
  generation(): number;
  /** Identity policies of a user (with its groups') or a role, as text; undefined when the entity does not exist. */
  policyTexts(accountId: string, principal: { type: 'user' | 'role'; name: string }): PrincipalPolicyTexts | undefined;
  /** Owner of an access key this IAM issued (any account), for the gateway, STS and a future policy evaluator. */
  accessKey(accessKeyId: string): IssuedAccessKey | undefined;
  role(accountId: string, roleName: string): RoleInfo | undefined;
  /**
   * The role an ARN names, with its trust policy (AssumeRolePolicyDocument),
   * for STS and the policy evaluator. The ARN must match exactly, path
   * included, as AWS requires: `role/a/b` is not `role/b`.
   */
  roleByArn(roleArn: string): RoleInfo | undefined;
  /** The path (`/`, `/division/`) of a user, role or group, for the ARNs the action map builds. */
  entityPath(accountId: string, kind: 'user' | 'role' | 'group', name: string): string | undefined;
  policiesForPrincipal(accountId: string, principal: { type: 'user' | 'role'; name: string }): PrincipalPolicies | undefined;
}

/**
 * IAM (query protocol). Global: requests from any region reach the same
 * per-account state, and ARNs carry no region.
 */
export function createIamService(ctx: CloudContext): IamProvider {
  const store = new IamStore(ctx.stateDir ? path.join(ctx.stateDir, 'iam') : undefined);
  const iam: IamContext = { store, now: () => new Date() };
  const handle = queryProtocol({
    xmlns: XMLNS,
    operations: {
      ...userOperations(iam),
      ...groupOperations(iam),
      ...roleOperations(iam),
      ...accessKeyOperations(iam),
      ...principalPolicyOperations(iam),
      ...managedPolicyOperations(iam),
    },
  });

  // Keys issued here belong to the account that created them and act as their user, verified against their secret.
  ctx.trust?.credentials.addSource((accessKeyId) => {
    const found = store.accessKey(accessKeyId);
    const user = found && store.account(found.accountId).users.get(found.key.userName);
    if (!found || !user) return undefined;
    return {
      principal: { kind: 'user', accountId: found.accountId, arn: userArn(found.accountId, user), userName: user.name, userId: user.id },
      secretAccessKey: found.key.secretAccessKey,
      active: found.key.status === 'Active',
    };
  });

  function findRole(accountId: string, roleName: string): RoleInfo | undefined {
    const role = store.account(accountId).roles.get(roleName);
    if (!role) return undefined;
    return {
      name: role.name,
      id: role.id,
      arn: roleArn(accountId, role),
      path: role.path,
      maxSessionDuration: role.maxSessionDuration,
      trustPolicy: parsePolicyDocument(role.assumeRolePolicyDocument, 'trust'),
    };
  }

  return {
    name: 'iam',
    routes: { signingNames: ['iam'] },
    async start() {
      store.load();
    },
    handle,

    generation: () => store.generation,

    policyTexts(accountId, principal) {
      const account = store.account(accountId);
      const entity = principal.type === 'user' ? account.users.get(principal.name) : account.roles.get(principal.name);
      if (!entity) return undefined;
      const result: PrincipalPolicyTexts = {
        principalArn: principal.type === 'user' ? userArn(accountId, entity) : roleArn(accountId, entity),
        policies: [],
      };
      const collect = (owner: string, source: { inlinePolicies: Record<string, string>; attachedPolicies: string[] }) => {
        for (const [name, document] of Object.entries(source.inlinePolicies)) result.policies.push({ id: `inline:${owner}/${name}`, document });
        for (const arn of source.attachedPolicies) {
          const policy = findPolicy(account, arn);
          if (policy) result.policies.push({ id: arn, document: policy.document });
        }
      };
      collect(`${principal.type}/${entity.name}`, entity);
      if (principal.type === 'user') {
        for (const group of account.groups.values()) if (group.members.includes(entity.name)) collect(`group/${group.name}`, group);
      }
      if (entity.permissionsBoundary) {
        const boundary = findPolicy(account, entity.permissionsBoundary);
        // A boundary that names a policy which no longer exists allows nothing, as on AWS.
        result.permissionsBoundary = { id: entity.permissionsBoundary, document: boundary?.document ?? '{"Version":"2012-10-17","Statement":[]}' };
      }
      return result;
    },

    accessKey(accessKeyId) {
      const found = store.accessKey(accessKeyId);
      if (!found) return undefined;
      const user = store.account(found.accountId).users.get(found.key.userName);
      if (!user) return undefined;
      return {
        accountId: found.accountId,
        userName: user.name,
        userId: user.id,
        userArn: userArn(found.accountId, user),
        secretAccessKey: found.key.secretAccessKey,
        status: found.key.status,
      };
    },

    role: findRole,

    roleByArn(arn) {
      const match = ROLE_ARN.exec(arn);
      const role = match ? findRole(match[1], match[2]) : undefined;
      return role && role.arn === arn.replace(/^arn:aws[\w-]*:/, 'arn:aws:') ? role : undefined;
    },

    entityPath(accountId, kind, name) {
      const account = store.account(accountId);
      const entities = kind === 'user' ? account.users : kind === 'role' ? account.roles : account.groups;
      return entities.get(name)?.path;
    },

    policiesForPrincipal(accountId, principal) {
      const account = store.account(accountId);
      const entity = principal.type === 'user' ? account.users.get(principal.name) : account.roles.get(principal.name);
      if (!entity) return undefined;
      const result: PrincipalPolicies = {
        principalArn: principal.type === 'user' ? userArn(accountId, entity) : roleArn(accountId, entity),
        policies: [],
        permissionsBoundaryArn: entity.permissionsBoundary,
      };
      const collect = (source: { inlinePolicies: Record<string, string>; attachedPolicies: string[] }, viaGroup?: string) => {
        for (const [name, document] of Object.entries(source.inlinePolicies)) {
          result.policies.push({ kind: 'inline', name, viaGroup, document: parsePolicyDocument(document, 'identity') });
        }
        for (const arn of source.attachedPolicies) {
          const policy = findPolicy(account, arn);
          if (policy) result.policies.push({ kind: 'managed', name: policy.name, arn, viaGroup, document: parsePolicyDocument(policy.document, 'identity') });
        }
      };
      collect(entity);
      if (principal.type === 'user') {
        for (const group of account.groups.values()) if (group.members.includes(entity.name)) collect(group, group.name);
      }
      return result;
    },
  };
}
