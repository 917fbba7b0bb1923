import type { Role } from '@docuvault/shared/auth/principal';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ListCursor } from '../documents/cursor.ts';
import { constant, execute, isoTimestamp, query, queryOne, sql } from '../documents/sql.ts';

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
}

type UserRow = Omit<UserRecord, 'createdAt' | 'createdAtExact'> & { createdAt: string };

const toUserRecord = (row: UserRow): UserRecord => ({
  ...row,
  createdAt: new Date(row.createdAt),
  createdAtExact: row.createdAt,
});

const USER_COLUMNS = constant(
  `u.id, u.email, u.role, ${isoTimestamp('u.created_at')} as "createdAt",
   coalesce(q.used_bytes, 0)::float8 as "usedBytes", coalesce(q.limit_bytes, 0)::float8 as "limitBytes"`,
);

const USERS = constant('users u left join quotas q on q.user_id = u.id');

export async function findUser(em: EntityManager, id: string): Promise<UserRecord | undefined> {
  const row = await queryOne<UserRow>(em, sql`select ${USER_COLUMNS} from ${USERS} where u.id = ${id}::uuid`);
  return row && toUserRecord(row);
}

/** What a sign-in needs: the id, role and password hash of an email. */
export async function findCredentials(
  em: EntityManager,
  email: string,
): Promise<{ id: string; role: Role; passwordHash: string } | undefined> {
  return queryOne(
    em,
    sql`select id, role, password_hash as "passwordHash" from users where email = ${email}`,
  );
}

export async function updatePasswordHash(em: EntityManager, id: string, passwordHash: string): Promise<void> {
  await execute(
    em,
    sql`update users set password_hash = ${passwordHash}, updated_at = now() where id = ${id}::uuid`,
  );
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
  await query(em, sql`select pg_advisory_xact_lock(hashtext('docuvault:users:first-admin'))`);
  const user = await queryOne<{ id: string; role: Role }>(
    em,
    sql`insert into users (email, password_hash, role)
        select ${values.email}, ${values.passwordHash},
               case when exists (select 1 from users) then 'USER' else 'ADMIN' end
        on conflict (email) do nothing
        returning id, role`,
  );
  if (!user) return undefined;
  await execute(
    em,
    sql`insert into quotas (user_id, limit_bytes) values (${user.id}::uuid, ${values.limitBytes}::bigint)`,
  );
  return user;
}

/** Newest first, keyset-paged on (created_at, id) like documents. */
export async function listUsers(
  em: EntityManager,
  after: ListCursor | undefined,
  limit: number,
): Promise<UserRecord[]> {
  const rows = await query<UserRow>(
    em,
    sql`select ${USER_COLUMNS} from ${USERS}
        where ${after ? sql`(u.created_at, u.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : constant('true')}
        order by u.created_at desc, u.id desc
        limit ${limit}`,
  );
  return rows.map(toUserRecord);
}

export async function countUsers(em: EntityManager): Promise<number> {
  const row = await queryOne<{ count: number }>(em, sql`select count(*)::int as count from users`);
  return row?.count ?? 0;
}

/** The user's quota row, locked for an update in the caller's transaction. */
export async function lockQuota(
  em: EntityManager,
  userId: string,
): Promise<{ usedBytes: number; limitBytes: number } | undefined> {
  return queryOne(
    em,
    sql`select used_bytes::float8 as "usedBytes", limit_bytes::float8 as "limitBytes"
        from quotas where user_id = ${userId}::uuid
        for update`,
  );
}

export async function userExists(em: EntityManager, id: string): Promise<boolean> {
  return (await queryOne(em, sql`select 1 from users where id = ${id}::uuid`)) !== undefined;
}

/** Sets the limit (creating the quotas row if there is none). */
export async function setQuotaLimit(em: EntityManager, userId: string, limitBytes: number): Promise<void> {
  await execute(
    em,
    sql`insert into quotas (user_id, limit_bytes) values (${userId}::uuid, ${limitBytes}::bigint)
        on conflict (user_id) do update set limit_bytes = excluded.limit_bytes, updated_at = now()`,
  );
}
