import type { ServiceRequest } from '../../core/types.js';
import type { QueryOperation } from '../../protocols/query.js';
import { noSuchEntity } from './errors.js';
import type { GroupRecord, IamAccount, IamStore, RoleRecord, UserRecord } from './model.js';

/** What every group of IAM operations works with. */
export interface IamContext {
  readonly store: IamStore;
  now(): Date;
}

export type IamOperations = Record<string, QueryOperation>;

/** The account a request acts on, plus a `save()` to call after changing it. */
export function accountOf(ctx: IamContext, req: ServiceRequest): { account: IamAccount; save(): void } {
  return { account: ctx.store.account(req.accountId), save: () => ctx.store.save(req.accountId) };
}

export function requireUser(account: IamAccount, name: string): UserRecord {
  const user = account.users.get(name);
  if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

export function requireRole(account: IamAccount, name: string): RoleRecord {
  const role = account.roles.get(name);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export function requireGroup(account: IamAccount, name: string): GroupRecord {
  const group = account.groups.get(name);
  if (!group) throw noSuchEntity(`The group with name ${name} cannot be found.`);
  return group;
}

/** The IAM user behind the request's access key, when the key is one this IAM issued in this account. */
export function callingUser(ctx: IamContext, req: ServiceRequest): UserRecord | undefined {
  if (!req.accessKeyId) return undefined;
  const owner = ctx.store.accessKey(req.accessKeyId);
  if (!owner || owner.accountId !== req.accountId) return undefined;
  return ctx.store.account(owner.accountId).users.get(owner.key.userName);
}
