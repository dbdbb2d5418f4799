import type { CreateAccessKeyCommandOutput, GetAccessKeyLastUsedCommandOutput, ListAccessKeysCommandOutput } from '@aws-sdk/client-iam';
import type { ServiceRequest } from '../../core/types.js';
import { accountOf, callingUser, requireUser, type IamContext, type IamOperations } from './context.js';
import { invalidInput, limitExceeded, noSuchEntity, validationError } from './errors.js';
import { accessKeyId, secretAccessKey } from './ids.js';
import type { AccessKeyRecord, IamAccount, UserRecord } from './model.js';
import { accessKeyMetadata } from './shapes.js';
import * as check from './validate.js';

type Output<T> = Omit<T, '$metadata'>;

const KEYS_PER_USER = 2;

export function accessKeyOperations(ctx: IamContext): IamOperations {
  /** The user named in the request, or (as IAM does) the calling user when none is named. */
  function targetUser(account: IamAccount, userName: unknown, req: ServiceRequest): UserRecord {
    if (userName !== undefined) return requireUser(account, check.name(userName, 'userName', 128));
    const caller = callingUser(ctx, req);
    if (!caller) throw validationError('Must specify a userName when calling with non-User credentials');
    return caller;
  }

  function requireKey(account: IamAccount, id: unknown, user: UserRecord | undefined): AccessKeyRecord {
    if (typeof id !== 'string' || !/^[\w]{16,128}$/.test(id)) throw invalidInput(`The specified value for accessKeyId is invalid: ${String(id)}`);
    const key = account.accessKeys.get(id);
    if (!key || (user && key.userName !== user.name)) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
    return key;
  }

  return {
    CreateAccessKey(input, req): Output<CreateAccessKeyCommandOutput> {
      const { account, save } = accountOf(ctx, req);
      const user = targetUser(account, input.UserName, req);
      const owned = [...account.accessKeys.values()].filter((k) => k.userName === user.name);
      if (owned.length >= KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      const key: AccessKeyRecord = {
        accessKeyId: accessKeyId('AKIA'),
        secretAccessKey: secretAccessKey(),
        userName: user.name,
        status: 'Active',
        createDate: ctx.now().toISOString(),
      };
      ctx.store.addAccessKey(req.accountId, key);
      save();
      return {
        AccessKey: { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: key.secretAccessKey, CreateDate: new Date(key.createDate) },
      };
    },

    ListAccessKeys(input, req): Output<ListAccessKeysCommandOutput> {
      const { account } = accountOf(ctx, req);
      const user = targetUser(account, input.UserName, req);
      const keys = [...account.accessKeys.values()].filter((k) => k.userName === user.name);
      const { page, IsTruncated, Marker } = check.paginate(keys, input.Marker, input.MaxItems);
      return { AccessKeyMetadata: page.map(accessKeyMetadata), IsTruncated, Marker };
    },

    UpdateAccessKey(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const user = input.UserName === undefined ? undefined : targetUser(account, input.UserName, req);
      const key = requireKey(account, input.AccessKeyId, user);
      if (input.Status !== 'Active' && input.Status !== 'Inactive') {
        throw validationError(`1 validation error detected: Value '${String(input.Status)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
      }
      key.status = input.Status;
      save();
    },

    DeleteAccessKey(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const user = input.UserName === undefined ? undefined : targetUser(account, input.UserName, req);
      const key = requireKey(account, input.AccessKeyId, user);
      ctx.store.removeAccessKey(req.accountId, key.accessKeyId);
      save();
    },

    GetAccessKeyLastUsed(input, req): Output<GetAccessKeyLastUsedCommandOutput> {
      const { account } = accountOf(ctx, req);
      const key = requireKey(account, input.AccessKeyId, undefined);
      return { UserName: key.userName, AccessKeyLastUsed: { Region: 'N/A', ServiceName: 'N/A', LastUsedDate: undefined } };
    },
  };
}
