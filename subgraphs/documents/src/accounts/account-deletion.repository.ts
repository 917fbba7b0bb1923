import type { Role } from '@docuvault/shared/auth/principal';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';

// The rows of an account deletion. Every table that belongs to a user refers to users
// with `on delete cascade` (refresh tokens, quota, folders, documents and their topics
// and shares, topics, upload tickets, classifier models, group memberships, cloud
// connections), so deleting the users row deletes them all in one statement; shares the
// user granted keep existing without their creator (set null). audit_log has no key to
// users: its lines stay, marked.

/** The advisory lock shared with registration (who is the first admin). */
export { lockAdminChanges } from './users.repository.ts';

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
  return db(em)
    .selectFrom('users')
    .select(['id', 'email', 'role', 'password_hash as passwordHash'])
    .where('id', '=', id)
    .$if(options.lock, (query) => query.forUpdate())
    .executeTakeFirst();
}

/**
 * Admins other than `id`. Callers that act on the answer hold the users advisory lock
 * (lockAdminChanges), so two admins deleting each other cannot both see the other.
 */
export async function countOtherAdmins(em: EntityManager, id: string): Promise<number> {
  const row = await db(em)
    .selectFrom('users')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('role', '=', 'ADMIN')
    .where('id', '<>', id)
    .executeTakeFirst();
  return row?.count ?? 0;
}

export async function holdingsOf(em: EntityManager, userId: string): Promise<Holdings> {
  const row = await db(em)
    .selectFrom('documents')
    .select([
      sql<number>`count(*)::int`.as('documents'),
      sql<number>`coalesce(sum(size_bytes), 0)::float8`.as('bytes'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ?? { documents: 0, bytes: 0 };
}

/**
 * Queues the removal of every object of the user: everything under their key prefix
 * (`<userId>/`: documents, upload tickets' objects, copies made by completeUpload, bytes of
 * failed uploads, unfinished multipart uploads), and, should a row name an object outside
 * it, that object by its key. Answers the ids of the queued removals.
 */
export async function queueObjectRemovals(
  em: EntityManager,
  userId: string,
  reason: string,
): Promise<string[]> {
  const prefix = `${userId}/`;
  const { rows } = await sql<{ id: string }>`
    insert into object_removals (key, prefix, reason)
    select ${prefix}::text, true, ${reason}::text
    union
    select key, false, ${reason}::text from (
      select object_key as key from documents where user_id = ${userId}::uuid
      union
      select object_key from upload_tickets where user_id = ${userId}::uuid
    ) keys
    where left(key, ${prefix.length}::int) <> ${prefix}::text
    returning id`.execute(db(em));
  return rows.map((row) => row.id);
}

/** Records the deletion beside the audit log (append-only), whose lines then read as by a deleted actor. */
export async function recordAccountDeleted(em: EntityManager, userId: string): Promise<number> {
  const result = await db(em).insertInto('deleted_accounts').values({ user_id: userId }).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** Deletes the user and, by cascade, every row that belongs to them. */
export async function deleteUserRow(em: EntityManager, userId: string): Promise<boolean> {
  const result = await db(em).deleteFrom('users').where('id', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
