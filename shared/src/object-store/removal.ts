import type { ObjectStore } from './client.ts';
import { abortUpload, incompleteUploads } from './multipart.ts';

// Removing objects so that a failure is an error, never a silent leftover: minio's
// removeObjects answers per-key errors in its result instead of throwing.

const BATCH = 1_000;

async function removeBatch(store: ObjectStore, keys: string[]): Promise<void> {
  const results = await store.client.removeObjects(store.bucket, keys);
  const failed = results.flatMap((result) => (result?.Error ? [result.Error] : []));
  if (failed.length > 0) {
    const first = failed[0];
    throw new Error(
      `the store kept ${failed.length} of ${keys.length} objects (first: ${first?.Key}: ${first?.Code})`,
    );
  }
}

/** Removes one object; a missing one counts as removed (S3 answers success). */
export async function removeObject(store: ObjectStore, key: string): Promise<void> {
  await store.client.removeObject(store.bucket, key);
}

/**
 * Removes every object under `prefix` and aborts every unfinished multipart upload under
 * it; answers how many of each. Throws at the first failure: what is left is found again
 * by the next call (it lists again), so a retry finishes the job.
 */
export async function removePrefix(
  store: ObjectStore,
  prefix: string,
): Promise<{ objects: number; uploads: number }> {
  if (prefix === '' || !prefix.endsWith('/')) throw new Error(`refusing to remove under prefix "${prefix}"`);
  let objects = 0;
  let batch: string[] = [];
  for await (const item of store.client.listObjectsV2(store.bucket, prefix, true)) {
    if (!item.name) continue;
    batch.push(item.name);
    if (batch.length === BATCH) {
      await removeBatch(store, batch);
      objects += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await removeBatch(store, batch);
    objects += batch.length;
  }
  const unfinished = [];
  for await (const upload of incompleteUploads(store, prefix)) unfinished.push(upload);
  for (const upload of unfinished) await abortUpload(store, upload);
  return { objects, uploads: unfinished.length };
}
