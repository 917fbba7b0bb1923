import { requireAdmin } from '@docuvault/shared/auth/principal';
import { badInput, notFound } from '@docuvault/shared/errors/index';
import { decodeListCursor, encodeListCursor, type ListCursor } from '../documents/cursor.ts';
import { listAudit, recordAudit, type AuditRecord } from '../audit/audit.repository.ts';
import { parseId, parsePageSize } from '../documents/input.ts';
import type { AccountsContext } from './accounts.service.ts';
import {
  countUsers,
  findUser,
  listUsers as listUserRows,
  lockQuota,
  setQuotaLimit,
  userExists,
  type UserRecord,
} from './users.repository.ts';

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
}

/** What `users` answers: the UserConnection's parent (codegen.ts maps it). */
export type UserPage = Page<UserRecord> & { totalCount: () => Promise<number> };
/** What `auditLog` answers: the AuditEntryConnection's parent (codegen.ts maps it). */
export type AuditPage = Page<AuditRecord>;

/** The signed-in user; null for a guest, the anonymous vault, or a user whose row is gone. */
export async function currentUser(context: AccountsContext): Promise<UserRecord | null> {
  if (context.principal.kind !== 'user') return null;
  return (await findUser(context.em, context.principal.id)) ?? null;
}

export async function userById(context: AccountsContext, id: string): Promise<UserRecord> {
  const user = await findUser(context.em, id);
  if (!user) throw notFound('User', id);
  return user;
}

/**
 * The documents cursor format fits (a microsecond timestamp and an id), so users and the
 * audit log use it too; only the error names the right list.
 */
function decodeAfter(after: string | null | undefined, list: string): ListCursor | undefined {
  try {
    return decodeListCursor(after);
  } catch {
    throw badInput(`after is not a valid cursor for ${list}`, { argument: 'after' });
  }
}

/** Admins only: every user, newest first. */
export async function listUsers(
  context: AccountsContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<UserPage> {
  requireAdmin(context.principal);
  const limit = parsePageSize(first);
  const rows = await listUserRows(context.em, decodeAfter(after, 'users'), limit + 1);
  return {
    edges: rows.slice(0, limit).map((user) => ({
      cursor: encodeListCursor({ createdAt: user.createdAtExact, id: user.id }),
      node: user,
    })),
    hasNextPage: rows.length > limit,
    totalCount: () => countUsers(context.em),
  };
}

/** Admins only: the audit trail, newest first. */
export async function auditLog(
  context: AccountsContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<AuditPage> {
  requireAdmin(context.principal);
  const limit = parsePageSize(first);
  const rows = await listAudit(context.em, decodeAfter(after, 'auditLog'), limit + 1);
  return {
    edges: rows.slice(0, limit).map((entry) => ({
      cursor: encodeListCursor({ createdAt: entry.atExact, id: entry.id }),
      node: entry,
    })),
    hasNextPage: rows.length > limit,
  };
}

/**
 * Admins only: how many bytes the user may store. Not below what they store already
 * (BAD_USER_INPUT); the quota row is locked, so an upload cannot slip in between.
 */
export async function setQuota(
  context: AccountsContext,
  userIdInput: string,
  limitBytes: number,
): Promise<UserRecord> {
  const admin = requireAdmin(context.principal);
  const userId = parseId(userIdInput, 'userId');
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) {
    throw badInput('limitBytes must be a whole number of bytes, 0 or more', { argument: 'limitBytes' });
  }
  await context.em.transactional(async (em) => {
    const quota = await lockQuota(em, userId);
    if (!quota && !(await userExists(em, userId))) throw notFound('User', userId);
    const usedBytes = quota?.usedBytes ?? 0;
    if (limitBytes < usedBytes) {
      throw badInput(`limitBytes must be at least the ${usedBytes} bytes the user stores already`, {
        argument: 'limitBytes',
        usedBytes,
      });
    }
    await setQuotaLimit(em, userId, limitBytes);
    await recordAudit(em, context, {
      actorId: admin.id,
      action: 'SET_QUOTA',
      target: `user:${userId}`,
      details: { limitBytes, previousLimitBytes: quota?.limitBytes ?? null },
    });
  });
  return userById(context, userId);
}
