import type { EntityManager } from '@mikro-orm/postgresql';
import { execute, queryOne, sql } from '../documents/sql.ts';

// The worker's two statements about thumbnails, kept apart so the data layer can port them alone.

/** Whether the document (still) exists and already has a thumbnail; undefined when it is gone. */
export async function findThumbnailKey(
  em: EntityManager,
  documentId: string,
): Promise<{ thumbnailKey: string | null } | undefined> {
  return queryOne<{ thumbnailKey: string | null }>(
    em,
    sql`select thumbnail_key as "thumbnailKey" from documents where id = ${documentId}::uuid`,
  );
}

/**
 * Records the stored thumbnail; false when the row is gone (deleted meanwhile) or already
 * names another thumbnail (a concurrent job won): the caller then removes its object. Not
 * `updated_at`: a thumbnail is not a change of the document.
 */
export async function recordThumbnail(em: EntityManager, documentId: string, key: string): Promise<boolean> {
  return (
    (await execute(
      em,
      sql`update documents set thumbnail_key = ${key}
          where id = ${documentId}::uuid and thumbnail_key is null`,
    )) > 0
  );
}
