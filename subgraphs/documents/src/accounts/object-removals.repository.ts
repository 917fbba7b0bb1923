import type { EntityManager } from '@mikro-orm/postgresql';
import { constant, execute, query, sql, uuidArray } from '../documents/sql.ts';

export interface QueuedRemoval {
  id: string;
  key: string;
  prefix: boolean;
  attempts: number;
}

/** The removals with `ids`, or (without) the oldest `limit`. */
export async function findRemovals(
  em: EntityManager,
  ids: readonly string[] | undefined,
  limit: number,
): Promise<QueuedRemoval[]> {
  return query<QueuedRemoval>(
    em,
    sql`select id, key, prefix, attempts from object_removals
        where ${ids ? sql`id = any(${uuidArray(ids)})` : constant('true')}
        order by created_at, id
        limit ${limit}`,
  );
}

export async function deleteRemoval(em: EntityManager, id: string): Promise<void> {
  await execute(em, sql`delete from object_removals where id = ${id}::uuid`);
}

export async function recordFailedAttempt(em: EntityManager, id: string, error: string): Promise<void> {
  await execute(
    em,
    sql`update object_removals set attempts = attempts + 1, last_error = left(${error}, 1000)
        where id = ${id}::uuid`,
  );
}
