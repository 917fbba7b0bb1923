import type { Role } from '@docuvault/shared/auth/principal';
import { db, type Db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { isoTimestamp } from '../data/query-helpers.ts';
import type { ListCursor } from '../documents/cursor.ts';

/** A user as the API sees it, with their quota (no password hash). */
export interface UserRecord {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  /** created_at at microsecond precision, for cursors. */
  createdAtExact: string;
  /** Both 0 when the user has no quotas row (made outside register): they may store nothing. */
  usedBytes: number;
  limitBytes: number;
  /**
   * Set when the record is shown to people other than the user (a document's owner, a
   * share's recipient, a group's members): then only id and email may be read, unless the
   * reader is the user or an admin (accounts/resolvers.ts).
   */
  restricted?: true;
}

type UserRow = Omit<UserRecord, 'createdAt' | 'createdAtExact'> & { createdAt: string };

const toUserRecord = (row: UserRow): UserRecord => ({
  ...row,
  createdAt: new Date(row.createdAt),
  createdAtExact: row.createdAt,
});

/** Users with their quota; bigint sizes read as float8 (the pool returns int8 as text). */
const selectUsers = (kysely: Db) =>
  kysely
    .selectFrom('users as u')
    .leftJoin('quotas as q', 'q.user_id', 'u.id')
    .select([
      'u.id',
      'u.email',
      'u.role',
      isoTimestamp('u.created_at').as('createdAt'),
      sql<number>`coalesce(q.used_bytes, 0)::float8`.as('usedBytes'),
      sql<number>`coalesce(q.limit_bytes, 0)::float8`.as('limitBytes'),
    ]);

export async function findUser(em: EntityManager, id: string): Promise<UserRecord | undefined> {
  const row: UserRow | undefined = await selectUsers(db(em)).where('u.id', '=', id).executeTakeFirst();
  return row && toUserRecord(row);
}

/** Many users at once (owners of documents, members of groups, grantees of shares). */
export async function findUsersByIds(
  em: EntityManager,
  ids: readonly string[],
): Promise<Map<string, UserRecord>> {
  const rows: UserRow[] = await selectUsers(db(em))
    .where('u.id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .execute();
  return new Map(rows.map((row) => [row.id, toUserRecord(row)]));
}

/** The id of the user with this (normalised) email. */
export async function findUserIdByEmail(em: EntityManager, email: string): Promise<string | undefined> {
  const row = await db(em).selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  return row?.id;
}

/** What a sign-in needs: the id, role and password hash of an email. */
export async function findCredentials(
  em: EntityManager,
  email: string,
): Promise<{ id: string; role: Role; passwordHash: string } | undefined> {
  return db(em)
    .selectFrom('users')
    .select(['id', 'role', 'password_hash as passwordHash'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function updatePasswordHash(em: EntityManager, id: string, passwordHash: string): Promise<void> {
  await db(em)
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: sql<string>`now()` })
    .where('id', '=', id)
    .execute();
}

/** The lock registration takes to decide who is the first admin; held until the transaction ends. */
export async function lockAdminChanges(em: EntityManager): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('docuvault:users:first-admin'))`.execute(db(em));
}

/**
 * Inserts a user with their quota; undefined when the email is taken. The first user of
 * an installation becomes ADMIN: the check and the insert run under a transaction-level
 * advisory lock, so two first registrations at once cannot both see an empty table.
 * Must run in a transaction (the lock is held until it ends).
 */
export async function insertUser(
  em: EntityManager,
  values: { email: string; passwordHash: string; limitBytes: number },
): Promise<{ id: string; role: Role } | undefined> {
  await lockAdminChanges(em);
  const user = await db(em)
    .insertInto('users')
    .columns(['email', 'password_hash', 'role'])
    .expression(
      sql`select ${values.email}, ${values.passwordHash},
                 case when exists (select 1 from users) then 'USER' else 'ADMIN' end`,
    )
    .onConflict((conflict) => conflict.column('email').doNothing())
    .returning(['id', 'role'])
    .executeTakeFirst();
  if (!user) return undefined;
  await db(em).insertInto('quotas').values({ user_id: user.id, limit_bytes: values.limitBytes }).execute();
  return user;
}

/** Newest first, keyset-paged on (created_at, id) like documents. */
export async function listUsers(
  em: EntityManager,
  after: ListCursor | undefined,
  limit: number,
): Promise<UserRecord[]> {
  const rows: UserRow[] = await selectUsers(db(em))
    .$if(after !== undefined, (query) =>
      query.where(
        sql<boolean>`(u.created_at, u.id) < (${after?.createdAt}::timestamptz, ${after?.id}::uuid)`,
      ),
    )
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toUserRecord);
}

export async function countUsers(em: EntityManager): Promise<number> {
  const row = await db(em)
    .selectFrom('users')
    .select(sql<number>`count(*)::int`.as('count'))
    .executeTakeFirst();
  return row?.count ?? 0;
}

/** The user's quota row, locked for an update in the caller's transaction. */
export async function lockQuota(
  em: EntityManager,
  userId: string,
): Promise<{ usedBytes: number; limitBytes: number } | undefined> {
  return db(em)
    .selectFrom('quotas')
    .select([
      sql<number>`used_bytes::float8`.as('usedBytes'),
      sql<number>`limit_bytes::float8`.as('limitBytes'),
    ])
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function userExists(em: EntityManager, id: string): Promise<boolean> {
  const row = await db(em)
    .selectFrom('users')
    .select(sql`1`.as('one'))
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Sets the limit (creating the quotas row if there is none). */
export async function setQuotaLimit(em: EntityManager, userId: string, limitBytes: number): Promise<void> {
  await db(em)
    .insertInto('quotas')
    .values({ user_id: userId, limit_bytes: limitBytes })
    .onConflict((conflict) =>
      conflict
        .column('user_id')
        .doUpdateSet({ limit_bytes: (eb) => eb.ref('excluded.limit_bytes'), updated_at: sql<string>`now()` }),
    )
    .execute();
}
