import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fromPathSegment, readJsonFile, safePathSegment, writeJsonAtomic } from '../../core/state-files.js';

/**
 * The IAM state model: users, groups, roles, customer managed policies and
 * access keys per account. Records are plain data (what is persisted); names
 * are unique per account regardless of case, as in IAM. Documents are kept
 * exactly as they were sent.
 */

export interface Tag {
  Key: string;
  Value: string;
}

interface PrincipalRecord {
  name: string;
  id: string;
  path: string;
  /** ISO 8601. */
  createDate: string;
  /** Inline policy name → document, as sent. */
  inlinePolicies: Record<string, string>;
  /** ARNs of attached managed policies, in attach order. */
  attachedPolicies: string[];
}

export interface UserRecord extends PrincipalRecord {
  tags: Tag[];
  permissionsBoundary?: string;
}

export interface RoleRecord extends PrincipalRecord {
  tags: Tag[];
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
}

export interface GroupRecord extends PrincipalRecord {
  /** Names of member users. */
  members: string[];
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: string;
}

export interface ManagedPolicyRecord {
  name: string;
  id: string;
  path: string;
  arn: string;
  description?: string;
  createDate: string;
  updateDate: string;
  tags: Tag[];
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  nextVersion: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

interface AccountSnapshot {
  users: UserRecord[];
  groups: GroupRecord[];
  roles: RoleRecord[];
  policies: ManagedPolicyRecord[];
  accessKeys: AccessKeyRecord[];
}

/** Case-insensitive name → record, as IAM compares names. */
export class NameMap<T extends { name: string }> {
  private readonly byKey = new Map<string, T>();

  get(name: string): T | undefined {
    return this.byKey.get(name.toLowerCase());
  }

  set(record: T): void {
    this.byKey.set(record.name.toLowerCase(), record);
  }

  delete(name: string): void {
    this.byKey.delete(name.toLowerCase());
  }

  values(): T[] {
    return [...this.byKey.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  }
}

export class IamAccount {
  readonly users = new NameMap<UserRecord>();
  readonly groups = new NameMap<GroupRecord>();
  readonly roles = new NameMap<RoleRecord>();
  /** Customer managed policies by ARN. */
  readonly policies = new Map<string, ManagedPolicyRecord>();
  readonly accessKeys = new Map<string, AccessKeyRecord>();

  constructor(readonly accountId: string) {}

  snapshot(): AccountSnapshot {
    return {
      users: this.users.values(),
      groups: this.groups.values(),
      roles: this.roles.values(),
      policies: [...this.policies.values()],
      accessKeys: [...this.accessKeys.values()],
    };
  }

  restore(snapshot: AccountSnapshot): void {
    for (const u of snapshot.users ?? []) this.users.set(u);
    for (const g of snapshot.groups ?? []) this.groups.set(g);
    for (const r of snapshot.roles ?? []) this.roles.set(r);
    for (const p of snapshot.policies ?? []) this.policies.set(p.arn, p);
    for (const k of snapshot.accessKeys ?? []) this.accessKeys.set(k.accessKeyId, k);
  }

  /** Users, groups and roles that have `policyArn` attached. */
  attachmentsOf(policyArn: string): number {
    let count = 0;
    for (const list of [this.users.values(), this.groups.values(), this.roles.values()]) {
      for (const principal of list) if (principal.attachedPolicies.includes(policyArn)) count++;
    }
    return count;
  }
}

/**
 * All accounts, with an index from access key id to account for the gateway.
 * Persisted as one JSON document per account under `<stateDir>/iam/`,
 * replaced atomically after every change.
 */
export class IamStore {
  private readonly accounts = new Map<string, IamAccount>();
  private readonly keyIndex = new Map<string, string>();
  /** Bumped by every change, so readers (the policy evaluator's cache) know when to look again. */
  generation = 0;

  constructor(private readonly dir: string | undefined) {}

  load(): void {
    if (!this.dir || !existsSync(this.dir)) return;
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const accountId = fromPathSegment(file.slice(0, -'.json'.length));
      const snapshot = readJsonFile<AccountSnapshot>(path.join(this.dir, file));
      if (!snapshot) continue;
      const account = this.account(accountId);
      account.restore(snapshot);
      for (const key of account.accessKeys.keys()) this.keyIndex.set(key, accountId);
    }
  }

  account(accountId: string): IamAccount {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = new IamAccount(accountId);
      this.accounts.set(accountId, account);
    }
    return account;
  }

  /** Writes an account's state through to disk (no-op in memory). */
  save(accountId: string): void {
    this.generation++;
    if (!this.dir) return;
    writeJsonAtomic(path.join(this.dir, `${safePathSegment(accountId)}.json`), this.account(accountId).snapshot());
  }

  addAccessKey(accountId: string, key: AccessKeyRecord): void {
    this.account(accountId).accessKeys.set(key.accessKeyId, key);
    this.keyIndex.set(key.accessKeyId, accountId);
  }

  removeAccessKey(accountId: string, accessKeyId: string): void {
    this.account(accountId).accessKeys.delete(accessKeyId);
    this.keyIndex.delete(accessKeyId);
  }

  /** The account and record of an access key this IAM issued. */
  accessKey(accessKeyId: string): { accountId: string; key: AccessKeyRecord } | undefined {
    const accountId = this.keyIndex.get(accessKeyId);
    const key = accountId === undefined ? undefined : this.accounts.get(accountId)?.accessKeys.get(accessKeyId);
    return key && accountId !== undefined ? { accountId, key } : undefined;
  }
}
