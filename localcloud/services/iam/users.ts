import type {
  CreateUserCommandOutput,
  GetUserCommandOutput,
  ListUserTagsCommandOutput,
  ListUsersCommandOutput,
  UpdateUserCommandInput,
} from '@aws-sdk/client-iam';
import type { ServiceRequest } from '../../core/types.js';
import { accountOf, callingUser, requireUser, type IamContext, type IamOperations } from './context.js';
import { deleteConflict, entityAlreadyExists } from './errors.js';
import { uniqueId } from './ids.js';
import { rootArn, userShape } from './shapes.js';
import * as check from './validate.js';

type Output<T> = Omit<T, '$metadata'>;

export function userOperations(ctx: IamContext): IamOperations {
  return {
    CreateUser(input, req): Output<CreateUserCommandOutput> {
      const { account, save } = accountOf(ctx, req);
      const name = check.name(input.UserName, 'userName', 64);
      if (account.users.get(name)) throw entityAlreadyExists(`User with name ${name} already exists.`);
      const user = {
        name,
        id: uniqueId('AIDA'),
        path: check.iamPath(input.Path),
        createDate: ctx.now().toISOString(),
        inlinePolicies: {},
        attachedPolicies: [],
        tags: check.tags(input.Tags),
        permissionsBoundary: input.PermissionsBoundary === undefined ? undefined : check.arn(input.PermissionsBoundary, 'permissionsBoundary'),
      };
      account.users.set(user);
      save();
      return { User: userShape(req.accountId, user) };
    },

    GetUser(input, req: ServiceRequest): Output<GetUserCommandOutput> {
      const { account } = accountOf(ctx, req);
      if (input.UserName === undefined) {
        // Without a name, GetUser describes the caller: an IAM user, or the account's root.
        const caller = callingUser(ctx, req);
        if (caller) return { User: userShape(req.accountId, caller) };
        return { User: { UserId: req.accountId, Arn: rootArn(req.accountId), CreateDate: new Date(0), Path: undefined, UserName: undefined } };
      }
      return { User: userShape(req.accountId, requireUser(account, check.name(input.UserName, 'userName', 128))) };
    },

    ListUsers(input, req): Output<ListUsersCommandOutput> {
      const { account } = accountOf(ctx, req);
      const prefix = input.PathPrefix === undefined ? '/' : String(input.PathPrefix);
      const users = account.users.values().filter((u) => u.path.startsWith(prefix));
      const { page, IsTruncated, Marker } = check.paginate(users, input.Marker, input.MaxItems);
      return { Users: page.map((u) => userShape(req.accountId, u, false)), IsTruncated, Marker };
    },

    UpdateUser(input: Record<keyof UpdateUserCommandInput, unknown>, req): void {
      const { account, save } = accountOf(ctx, req);
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      if (input.NewUserName !== undefined) {
        const newName = check.name(input.NewUserName, 'newUserName', 64);
        const other = account.users.get(newName);
        if (other && other !== user) throw entityAlreadyExists(`User with name ${newName} already exists.`);
        account.users.delete(user.name);
        for (const key of account.accessKeys.values()) if (key.userName === user.name) key.userName = newName;
        for (const group of account.groups.values()) group.members = group.members.map((m) => (m === user.name ? newName : m));
        user.name = newName;
        account.users.set(user);
      }
      if (input.NewPath !== undefined) user.path = check.iamPath(input.NewPath, 'newPath');
      save();
    },

    DeleteUser(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      if ([...account.accessKeys.values()].some((k) => k.userName === user.name)) {
        throw deleteConflict('Cannot delete entity, must delete access keys first.');
      }
      if (Object.keys(user.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (user.attachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (account.groups.values().some((g) => g.members.includes(user.name))) {
        throw deleteConflict('Cannot delete entity, must remove users from group first.');
      }
      account.users.delete(user.name);
      save();
    },

    TagUser(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      user.tags = check.mergeTags(user.tags, check.tags(input.Tags));
      save();
    },

    UntagUser(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      const remove = new Set(check.stringList(input.TagKeys, 'TagKeys'));
      user.tags = user.tags.filter((t) => !remove.has(t.Key));
      save();
    },

    ListUserTags(input, req): Output<ListUserTagsCommandOutput> {
      const { account } = accountOf(ctx, req);
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      const { page, IsTruncated, Marker } = check.paginate(user.tags, input.Marker, input.MaxItems);
      return { Tags: page, IsTruncated, Marker };
    },
  };
}
