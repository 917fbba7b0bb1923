import type { Role } from '@docuvault/shared/auth/principal';
import type { EntityManager } from '@mikro-orm/postgresql';
import { execute, query, queryOne, sql } from '../documents/sql.ts';

// The rows of an account deletion. Every table that belongs to a user refers to users
// with `on delete cascade` (refresh tokens, quota, folders, documents and their topics
// and shares, topics, upload tickets, classifier models, group memberships, cloud
// connections), so deleting the users row deletes them all in one statement; shares the
// user granted keep existing without their creator (set null). audit_log has no key to
// users: its lines stay, marked.

export interface DeletionTarget {
  id: string;
  email: string;
  role: Role;
  passwordHash: string;
}

export interface Holdings {
  documents: number;
  bytes: number;
}

/** The user with the fields a deletion checks; `lock`: locked until the transaction ends. */
export async function findDeletionTarget(
  em: EntityManager,
  id: string,
  options: { lock: boolean },
): Promise<DeletionTarget | undefined> {
  return queryOne(
    em,
    sql`select id, email, role, password_hash as "passwordHash" from users where id = ${id}::uuid
        ${options.lock ? sql`for update` : sql``}`,
  );
}

/**
 * Admins other than `id`. Callers that act on the answer hold the users advisory lock
 * (lockAdminChanges), so two admins deleting each other cannot both see the other.
 */
export async function countOtherAdmins(em: EntityManager, id: string): Promise<number> {
  const row = await queryOne<{ count: number }>(
    em,
    sql`select count(*)::int as count from users where role = 'ADMIN' and id <> ${id}::uuid`,
  );
  return row?.count ?? 0;
}

/** The lock registration takes to decide who is the first admin; held until the transaction ends. */
export async function lockAdminChanges(em: EntityManager): Promise<void> {
  await query(em, sql`select pg_advisory_xact_lock(hashtext('docuvault:users:first-admin'))`);
}

export async function holdingsOf(em: EntityManager, userId: string): Promise<Holdings> {
  const row = await queryOne<Holdings>(
    em,
    sql`select count(*)::int as documents, coalesce(sum(size_bytes), 0)::float8 as bytes
        from documents where user_id = ${userId}::uuid`,
  );
  return row ?? { documents: 0, bytes: 0 };
}

/**
 * Queues the removal of every object of the user: everything under their key prefix
 * (`<userId>/`: documents and their thumbnails, upload tickets' objects, copies made by
 * completeUpload, bytes of failed uploads, unfinished multipart uploads), and, should a row name an object outside
 * it, that object by its key. Answers the ids of the queued removals.
 */
export async function queueObjectRemovals(
  em: EntityManager,
  userId: string,
  reason: string,
): Promise<string[]> {
  const prefix = `${userId}/`;
  const rows = await query<{ id: string }>(
    em,
    sql`insert into object_removals (key, prefix, reason)
        select ${prefix}, true, ${reason}
        union
        select key, false, ${reason} from (
          select object_key as key from documents where user_id = ${userId}::uuid
          union
          select thumbnail_key from documents where user_id = ${userId}::uuid and thumbnail_key is not null
          union
          select object_key from upload_tickets where user_id = ${userId}::uuid
        ) keys
        where left(key, ${prefix.length}) <> ${prefix}
        returning id`,
  );
  return rows.map((row) => row.id);
}

/** Records the deletion beside the audit log (append-only), whose lines then read as by a deleted actor. */
export async function recordAccountDeleted(em: EntityManager, userId: string): Promise<number> {
  return execute(em, sql`insert into deleted_accounts (user_id) values (${userId}::uuid)`);
}

/** Deletes the user and, by cascade, every row that belongs to them. */
export async function deleteUserRow(em: EntityManager, userId: string): Promise<boolean> {
  return (await execute(em, sql`delete from users where id = ${userId}::uuid`)) > 0;
}
