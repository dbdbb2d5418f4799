import type { CreateGroupCommandOutput, GetGroupCommandOutput, ListGroupsCommandOutput, ListGroupsForUserCommandOutput } from '@aws-sdk/client-iam';
import { accountOf, requireGroup, requireUser, type IamContext, type IamOperations } from './context.js';
import { deleteConflict, entityAlreadyExists } from './errors.js';
import { uniqueId } from './ids.js';
import { groupShape, userShape } from './shapes.js';
import * as check from './validate.js';

type Output<T> = Omit<T, '$metadata'>;

export function groupOperations(ctx: IamContext): IamOperations {
  return {
    CreateGroup(input, req): Output<CreateGroupCommandOutput> {
      const { account, save } = accountOf(ctx, req);
      const name = check.name(input.GroupName, 'groupName', 128);
      if (account.groups.get(name)) throw entityAlreadyExists(`Group with name ${name} already exists.`);
      const group = { name, id: uniqueId('AGPA'), path: check.iamPath(input.Path), createDate: ctx.now().toISOString(), inlinePolicies: {}, attachedPolicies: [], members: [] };
      account.groups.set(group);
      save();
      return { Group: groupShape(req.accountId, group) };
    },

    GetGroup(input, req): Output<GetGroupCommandOutput> {
      const { account } = accountOf(ctx, req);
      const group = requireGroup(account, check.name(input.GroupName, 'groupName', 128));
      const members = group.members.map((m) => account.users.get(m)).filter((u) => u !== undefined);
      const { page, IsTruncated, Marker } = check.paginate(members, input.Marker, input.MaxItems);
      return { Group: groupShape(req.accountId, group), Users: page.map((u) => userShape(req.accountId, u, false)), IsTruncated, Marker };
    },

    ListGroups(input, req): Output<ListGroupsCommandOutput> {
      const { account } = accountOf(ctx, req);
      const prefix = input.PathPrefix === undefined ? '/' : String(input.PathPrefix);
      const groups = account.groups.values().filter((g) => g.path.startsWith(prefix));
      const { page, IsTruncated, Marker } = check.paginate(groups, input.Marker, input.MaxItems);
      return { Groups: page.map((g) => groupShape(req.accountId, g)), IsTruncated, Marker };
    },

    ListGroupsForUser(input, req): Output<ListGroupsForUserCommandOutput> {
      const { account } = accountOf(ctx, req);
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      const groups = account.groups.values().filter((g) => g.members.includes(user.name));
      const { page, IsTruncated, Marker } = check.paginate(groups, input.Marker, input.MaxItems);
      return { Groups: page.map((g) => groupShape(req.accountId, g)), IsTruncated, Marker };
    },

    AddUserToGroup(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const group = requireGroup(account, check.name(input.GroupName, 'groupName', 128));
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      if (!group.members.includes(user.name)) group.members.push(user.name);
      save();
    },

    RemoveUserFromGroup(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const group = requireGroup(account, check.name(input.GroupName, 'groupName', 128));
      const user = requireUser(account, check.name(input.UserName, 'userName', 128));
      group.members = group.members.filter((m) => m !== user.name);
      save();
    },

    DeleteGroup(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const group = requireGroup(account, check.name(input.GroupName, 'groupName', 128));
      if (group.members.length > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
      if (Object.keys(group.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (group.attachedPolicies.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      account.groups.delete(group.name);
      save();
    },
  };
}
