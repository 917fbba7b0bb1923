import type { UserRecord } from '../accounts/users.repository.ts';
import type { DocumentsContext } from '../context.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { sharingLoaders } from '../sharing/loaders.ts';
import {
  addGroupMember,
  allGroups,
  createGroup,
  deleteGroup,
  myGroups,
  removeGroupMember,
  renameGroup,
  seesMembers,
  type GroupsContext,
} from './groups.service.ts';

const groupsContext = (context: DocumentsContext): GroupsContext => ({
  em: context.em,
  principal: context.principal,
  origin: { requestId: context.requestId, clientIp: context.clientIp },
});

export const groupResolvers: Resolvers = {
  Query: {
    myGroups: (_, _args, context) => myGroups(groupsContext(context)),
    groups: (_, _args, context) => allGroups(groupsContext(context)),
  },
  Mutation: {
    createGroup: (_, args, context) => createGroup(groupsContext(context), args.name),
    renameGroup: (_, args, context) => renameGroup(groupsContext(context), args.id, args.name),
    deleteGroup: (_, args, context) => deleteGroup(groupsContext(context), args.id),
    addGroupMember: (_, args, context) => addGroupMember(groupsContext(context), args.groupId, args.email),
    removeGroupMember: (_, args, context) =>
      removeGroupMember(groupsContext(context), args.groupId, args.userId),
  },
  Group: {
    members: async (group, _args, context) => {
      if (!seesMembers(context.principal)) return [];
      const loaders = sharingLoaders(context);
      const ids = await loaders.memberIds.load(group.id);
      const users = await loaders.user.loadMany(ids);
      // A member deleted since the list was read is left out.
      return users.filter((user): user is UserRecord => user !== null && !(user instanceof Error));
    },
  },
};
