import type { Resolvers } from '../generated/resolvers-types.ts';
import { auditLog, currentUser, listUsers, setQuota, userById, type Page } from './admin.service.ts';
import { deleteAccount, deleteUser } from './account-deletion.service.ts';
import { login, logout, logoutEverywhere, refreshSession, register } from './sessions.service.ts';

const pageInfo = (page: Page<unknown>) => ({
  hasNextPage: page.hasNextPage,
  endCursor: page.edges.at(-1)?.cursor ?? null,
});

export const accountResolvers: Resolvers = {
  Query: {
    me: (_, _args, context) => currentUser(context),
    users: (_, args, context) => listUsers(context, args.first, args.after),
    auditLog: (_, args, context) => auditLog(context, args.first, args.after),
  },
  Mutation: {
    register: (_, args, context) => register(context, args),
    login: (_, args, context) => login(context, args),
    refreshToken: (_, args, context) => refreshSession(context, args.refreshToken),
    logout: (_, args, context) => logout(context, args.refreshToken),
    logoutEverywhere: (_, _args, context) => logoutEverywhere(context),
    setQuota: (_, args, context) => setQuota(context, args.userId, args.limitBytes),
    deleteAccount: (_, args, context) => deleteAccount(context, args.password),
    deleteUser: (_, args, context) => deleteUser(context, args.id),
  },
  AuthPayload: {
    user: (payload, _args, context) => userById(context, payload.userId),
  },
  User: {
    quota: (user) => ({ usedBytes: user.usedBytes, limitBytes: user.limitBytes }),
  },
  UserConnection: {
    pageInfo,
    totalCount: (page) => page.totalCount(),
  },
  AuditEntryConnection: { pageInfo },
};
