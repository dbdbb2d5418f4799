/**
 * Principal and NotPrincipal in resource policies.
 *
 * Whom a statement names decides what its Allow is worth (see evaluate.ts):
 * - `direct`: the caller itself — `*`, the user's ARN, the role session's ARN,
 *   a service principal. Within the account this grants on its own.
 * - `role`: the ARN of the role a session belongs to. Grants on its own
 *   within the account, but stays limited by the session's permissions
 *   boundary and session policies.
 * - `account`: the account (`123456789012`, `arn:aws:iam::123456789012:root`).
 *   Delegates to the account: its users and roles still need an identity
 *   policy that allows the action. For the account root this is a direct grant.
 */
import type { Principal } from '../types.js';
import type { PrincipalElement } from './types.js';

export type PrincipalMatch = 'direct' | 'role' | 'account';

export interface PrincipalSet {
  any: boolean;
  accounts: Set<string>;
  arns: Set<string>;
  services: Set<string>;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

export function compilePrincipals(element: PrincipalElement): PrincipalSet {
  const set: PrincipalSet = { any: false, accounts: new Set(), arns: new Set(), services: new Set() };
  if (element === '*') {
    set.any = true;
    return set;
  }
  for (const [type, raw] of Object.entries(element)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (type === 'AWS') {
        const root = ROOT_ARN.exec(value);
        if (value === '*') set.any = true;
        else if (ACCOUNT_ID.test(value)) set.accounts.add(value);
        else if (root) set.accounts.add(root[1]!);
        else set.arns.add(value);
      } else if (type === 'Service') {
        set.services.add(value.toLowerCase());
      }
      // Federated and CanonicalUser principals name callers localcloud does not model: they match no one.
    }
  }
  return set;
}

/** How strongly a Principal element names the caller, or undefined when it does not. */
export function matchPrincipal(set: PrincipalSet, principal: Principal): PrincipalMatch | undefined {
  if (set.any) return 'direct';
  switch (principal.kind) {
    case 'user':
      if (set.arns.has(principal.arn)) return 'direct';
      return set.accounts.has(principal.accountId) ? 'account' : undefined;
    case 'assumed-role':
      if (set.arns.has(principal.arn)) return 'direct';
      if (set.arns.has(principal.roleArn)) return 'role';
      return set.accounts.has(principal.accountId) ? 'account' : undefined;
    case 'root':
      return set.accounts.has(principal.accountId) ? 'account' : undefined;
    case 'service':
      return set.services.has(principal.service.toLowerCase()) ? 'direct' : undefined;
    case 'anonymous':
      return undefined;
  }
}

/**
 * NotPrincipal applies unless every identity the caller carries is listed:
 * AWS checks the account, the user or role, and the session each on its own,
 * which is why its documentation asks a Deny with NotPrincipal to list the
 * account along with the user, and a role's ARN along with its session's.
 */
export function matchNotPrincipal(set: PrincipalSet, principal: Principal): boolean {
  if (set.any) return false;
  const listed = (identity: string) => set.accounts.has(identity) || set.arns.has(identity);
  switch (principal.kind) {
    case 'user':
      return !(listed(principal.accountId) && listed(principal.arn));
    case 'assumed-role':
      return !(listed(principal.accountId) && listed(principal.roleArn) && listed(principal.arn));
    case 'root':
      return !listed(principal.accountId);
    case 'service':
      return !set.services.has(principal.service.toLowerCase());
    case 'anonymous':
      return true;
  }
}
