import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteRemovals, queueKeyRemovals } from '../object-removals/object-removals.repository.ts';

/** Every object a deleted document row names: its bytes and, when one was made, its thumbnail. */
export const storedKeys = (row: { objectKey: string; thumbnailKey: string | null }): string[] =>
  row.thumbnailKey === null ? [row.objectKey] : [row.objectKey, row.thumbnailKey];

export interface ObjectRemoval {
  readonly store: ObjectStore;
  readonly logger: Logger;
}

export interface QueuedObject {
  readonly id: string;
  readonly key: string;
}

// Why rows first, objects second, and never the other way round: a row whose object is
// gone is a document the API lists but cannot serve — visible and broken. An object whose
// row is gone is invisible, and must not be forgotten either: so the transaction that
// deletes the rows also queues their objects (object_removals), and the store is asked
// once it has committed. Holding the transaction open across the S3 call would not help:
// the object can vanish and the commit still fail (a dropped connection). What the store
// refuses stays queued, and the object-removal sweeper (documents main.ts) retries it; the
// client is not told: the document is deleted.

/** Queues the removal of `keys` in the transaction that deletes their rows. */
export const queueStoredObjects = (
  em: EntityManager,
  keys: readonly string[],
  reason: string,
): Promise<QueuedObject[]> => queueKeyRemovals(em, keys, reason);

/**
 * After the commit: removes the queued objects now, in multi-object deletes (the client
 * sends at most 1 000 keys per request), and takes what the store confirmed off the queue.
 * Never throws for the store's sake: what it refused stays queued for the sweeper.
 */
export async function removeQueuedObjects(
  em: EntityManager,
  removal: ObjectRemoval,
  queued: readonly QueuedObject[],
): Promise<void> {
  if (queued.length === 0) return;
  const { store, logger } = removal;
  let refused: Set<string>;
  try {
    const results = await store.client.removeObjects(
      store.bucket,
      queued.map((object) => object.key),
    );
    refused = new Set(results.flatMap((result) => (result?.Error?.Key ? [result.Error.Key] : [])));
  } catch (error) {
    logger.warn(
      { err: error, bucket: store.bucket, keys: queued.map((object) => object.key) },
      'could not remove stored objects of deleted documents; the object-removal sweeper retries',
    );
    return;
  }
  if (refused.size > 0) {
    logger.warn(
      { bucket: store.bucket, keys: [...refused] },
      'the store refused to remove objects of deleted documents; the object-removal sweeper retries',
    );
  }
  await deleteRemovals(
    em.fork(),
    queued.filter((object) => !refused.has(object.key)).map((object) => object.id),
  );
}
