import { isAdmin } from '@docuvault/shared/auth/principal';
import { AppError } from '@docuvault/shared/errors/index';
import type { DocumentsContext } from '../context.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import type { UserRecord } from './users.repository.ts';
import { auditLog, currentUser, listUsers, setQuota, userById, type Page } from './admin.service.ts';
import { deleteAccount, deleteUser } from './account-deletion.service.ts';
import { login, logout, logoutEverywhere, refreshSession, register } from './sessions.service.ts';

/** A user's own account facts: for themselves and admins; FORBIDDEN to others shown the user. */
function accountFact(context: DocumentsContext, user: UserRecord): UserRecord {
  const { principal } = context;
  if (!user.restricted || isAdmin(principal) || (principal.kind === 'user' && principal.id === user.id)) {
    return user;
  }
  throw new AppError('FORBIDDEN', "only a user's email is visible to other users");
}

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
  // A User also reaches people other than themselves and admins (a document's owner, a
  // share's recipient, a group's members for admins): to them only id and email are readable.
  User: {
    role: (user, _args, context) => accountFact(context, user).role,
    createdAt: (user, _args, context) => accountFact(context, user).createdAt,
    quota: (user, _args, context) => {
      const { usedBytes, limitBytes } = accountFact(context, user);
      return { usedBytes, limitBytes };
    },
  },
  UserConnection: {
    pageInfo,
    totalCount: (page) => page.totalCount(),
  },
  AuditEntryConnection: { pageInfo },
};
