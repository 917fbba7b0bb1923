import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';

// The worker's two statements about thumbnails.

export interface ThumbnailTarget {
  id: string;
  mimeType: string;
  objectKey: string;
  /** The thumbnail it already has, if any. */
  thumbnailKey: string | null;
}

/** What a thumbnail job needs of the document; undefined when it is gone. */
export async function findThumbnailTarget(
  em: EntityManager,
  documentId: string,
): Promise<ThumbnailTarget | undefined> {
  return db(em)
    .selectFrom('documents')
    .select(['id', 'mime_type as mimeType', 'object_key as objectKey', 'thumbnail_key as thumbnailKey'])
    .where('id', '=', documentId)
    .executeTakeFirst();
}

/**
 * Records the stored thumbnail; false when the row is gone (deleted meanwhile) or already
 * names another thumbnail (a concurrent job won): the caller then removes its object. Not
 * `updated_at`: a thumbnail is not a change of the document.
 */
export async function recordThumbnail(em: EntityManager, documentId: string, key: string): Promise<boolean> {
  const result = await db(em)
    .updateTable('documents')
    .set({ thumbnail_key: key })
    .where('id', '=', documentId)
    .where('thumbnail_key', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
