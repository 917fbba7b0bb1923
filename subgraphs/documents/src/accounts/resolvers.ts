import type { DocumentsContext } from '../context.ts';
import { auditLog, currentUser, listUsers, setQuota, userById, type Page } from './admin.service.ts';
import type { AuthPayload } from './accounts.service.ts';
import { deleteAccount, deleteUser } from './account-deletion.service.ts';
import { login, logout, logoutEverywhere, refreshSession, register } from './sessions.service.ts';
import type { UserRecord } from './users.repository.ts';

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

interface Credentials {
  email: string;
  password: string;
}

const pageInfo = (page: Page<unknown>) => ({
  hasNextPage: page.hasNextPage,
  endCursor: page.edges.at(-1)?.cursor ?? null,
});

export const accountResolvers = {
  Query: {
    me: (_: unknown, _args: unknown, context: DocumentsContext) => currentUser(context),
    users: (_: unknown, args: PageArgs, context: DocumentsContext) =>
      listUsers(context, args.first, args.after),
    auditLog: (_: unknown, args: PageArgs, context: DocumentsContext) =>
      auditLog(context, args.first, args.after),
  },
  Mutation: {
    register: (_: unknown, args: Credentials, context: DocumentsContext) => register(context, args),
    login: (_: unknown, args: Credentials, context: DocumentsContext) => login(context, args),
    refreshToken: (_: unknown, args: { refreshToken: string }, context: DocumentsContext) =>
      refreshSession(context, args.refreshToken),
    logout: (_: unknown, args: { refreshToken: string }, context: DocumentsContext) =>
      logout(context, args.refreshToken),
    logoutEverywhere: (_: unknown, _args: unknown, context: DocumentsContext) => logoutEverywhere(context),
    setQuota: (_: unknown, args: { userId: string; limitBytes: number }, context: DocumentsContext) =>
      setQuota(context, args.userId, args.limitBytes),
    deleteAccount: (_: unknown, args: { password: string }, context: DocumentsContext) =>
      deleteAccount(context, args.password),
    deleteUser: (_: unknown, args: { id: string }, context: DocumentsContext) => deleteUser(context, args.id),
  },
  AuthPayload: {
    user: (payload: AuthPayload, _args: unknown, context: DocumentsContext) =>
      userById(context, payload.userId),
  },
  User: {
    quota: (user: UserRecord) => ({ usedBytes: user.usedBytes, limitBytes: user.limitBytes }),
  },
  UserConnection: {
    pageInfo,
    totalCount: (page: { totalCount: () => Promise<number> }) => page.totalCount(),
  },
  AuditEntryConnection: { pageInfo },
};
