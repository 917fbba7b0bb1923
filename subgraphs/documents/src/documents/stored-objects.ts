import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';

/** Every object a deleted document row names: its bytes and, when one was made, its thumbnail. */
export const storedKeys = (row: { objectKey: string; thumbnailKey: string | null }): string[] =>
  row.thumbnailKey === null ? [row.objectKey] : [row.objectKey, row.thumbnailKey];

export interface ObjectRemoval {
  readonly store: ObjectStore;
  readonly logger: Logger;
}

/**
 * Removes the bytes of documents whose rows are already deleted (and committed).
 *
 * Why rows first, objects second, and never the other way round: a row whose object is
 * gone is a document the API lists but cannot serve — visible and broken. An object
 * whose row is gone is invisible and reclaimable: the orphan sweeper lists objects with
 * no row and removes them. Holding the row's transaction open across the S3 call does not
 * help either: the object can vanish and the commit still fail (a dropped connection).
 * So a failure here is logged with the keys, at error level, and not reported to the
 * client: the document is deleted, only its bytes await the sweeper.
 */
export async function removeStoredObjects(removal: ObjectRemoval, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const { store, logger } = removal;
  try {
    if (keys.length === 1) {
      await store.client.removeObject(store.bucket, keys[0] as string);
      return;
    }
    // The client sends these in multi-object deletes of at most 1,000 keys.
    const results = await store.client.removeObjects(store.bucket, [...keys]);
    const failed = results.flatMap((result) => (result?.Error ? [result.Error] : []));
    if (failed.length > 0) {
      logger.error(
        { bucket: store.bucket, failed: failed.map(({ Key, Code }) => ({ key: Key, code: Code })) },
        'could not remove stored objects of deleted documents; the orphan sweeper will',
      );
    }
  } catch (error) {
    logger.error(
      { err: error, bucket: store.bucket, keys },
      'could not remove stored objects of deleted documents; the orphan sweeper will',
    );
  }
}
