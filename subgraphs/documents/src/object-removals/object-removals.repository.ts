import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';

export interface QueuedRemoval {
  id: string;
  key: string;
  prefix: boolean;
  attempts: number;
}

/** The removals with `ids` (due or not), or (without) the oldest `limit` of those due. */
export async function findRemovals(
  em: EntityManager,
  ids: readonly string[] | undefined,
  limit: number,
): Promise<QueuedRemoval[]> {
  return db(em)
    .selectFrom('object_removals')
    .select(['id', 'key', 'prefix', 'attempts'])
    .$if(ids !== undefined, (query) => query.where(sql<boolean>`id = any(${ids ?? []}::uuid[])`))
    .$if(ids === undefined, (query) => query.where('not_before', '<=', sql<string>`now()`))
    .orderBy('not_before')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function deleteRemoval(em: EntityManager, id: string): Promise<void> {
  await db(em).deleteFrom('object_removals').where('id', '=', id).execute();
}

export async function recordFailedAttempt(em: EntityManager, id: string, error: string): Promise<void> {
  await db(em)
    .updateTable('object_removals')
    .set({ attempts: sql<number>`attempts + 1`, last_error: sql<string>`left(${error}, 1000)` })
    .where('id', '=', id)
    .execute();
}

/** Queues the removal of single objects, in the caller's transaction. */
export async function queueKeyRemovals(
  em: EntityManager,
  keys: readonly string[],
  reason: string,
): Promise<{ id: string; key: string }[]> {
  if (keys.length === 0) return [];
  return db(em)
    .insertInto('object_removals')
    .values(keys.map((key) => ({ key, prefix: false, reason })))
    .returning(['id', 'key'])
    .execute();
}

/**
 * Queues the removal of an object about to be stored, due `afterSeconds` from now: taken
 * off the queue (takeBackRemoval) once a row names the object, carried out otherwise.
 */
export async function queueDeferredRemoval(
  em: EntityManager,
  key: string,
  afterSeconds: number,
  reason: string,
): Promise<string> {
  const row = await db(em)
    .insertInto('object_removals')
    .values({
      key,
      prefix: false,
      reason,
      not_before: sql<string>`now() + make_interval(secs => ${afterSeconds})`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Takes a queued removal back; false when it is gone (carried out meanwhile). */
export async function takeBackRemoval(em: EntityManager, id: string): Promise<boolean> {
  const result = await db(em).deleteFrom('object_removals').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteRemovals(em: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db(em)
    .deleteFrom('object_removals')
    .where(sql<boolean>`id = any(${ids}::uuid[])`)
    .execute();
}
