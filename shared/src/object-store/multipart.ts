import type { ObjectStore } from './client.ts';

// Unfinished multipart uploads: parts a store keeps (and bills) but no listing of objects
// shows, left behind when the uploading process or the store died mid-upload. The sweeper
// aborts old ones; the bucket's lifecycle rule does the same where the store supports it.

export interface IncompleteUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: Date;
}

/** Every unfinished multipart upload under `prefix` ('' for the whole bucket), page by page. */
export async function* incompleteUploads(store: ObjectStore, prefix = ''): AsyncGenerator<IncompleteUpload> {
  let keyMarker = '';
  let uploadIdMarker = '';
  for (;;) {
    // The query (not listIncompleteUploads): it answers `initiated` and does not list every part.
    const page = await store.client.listIncompleteUploadsQuery(
      store.bucket,
      prefix,
      keyMarker,
      uploadIdMarker,
      '',
    );
    for (const upload of page.uploads) {
      yield { key: upload.key, uploadId: upload.uploadId, initiated: new Date(upload.initiated) };
    }
    if (!page.isTruncated || (!page.nextKeyMarker && !page.nextUploadIdMarker)) return;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}

const isGone = (error: unknown): boolean => (error as { code?: string }).code === 'NoSuchUpload';

/** Aborts one upload; one already completed or aborted (by another sweeper) counts as done. */
export async function abortUpload(store: ObjectStore, upload: IncompleteUpload): Promise<void> {
  try {
    await store.client.abortMultipartUpload(store.bucket, upload.key, upload.uploadId);
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

export interface AbortResult {
  /** `key` of each upload aborted. */
  readonly aborted: string[];
  /** Unfinished uploads left because they are younger than the threshold. */
  readonly kept: number;
}

/**
 * Aborts the unfinished multipart uploads under `prefix` begun more than `olderThanSeconds`
 * before `now`. Stops at the first failure (the store is most likely away: the rest would
 * fail the same way), which it throws.
 */
export async function abortStaleUploads(
  store: ObjectStore,
  options: { olderThanSeconds: number; prefix?: string; now?: Date },
): Promise<AbortResult> {
  const cutoff = (options.now ?? new Date()).getTime() - options.olderThanSeconds * 1000;
  const aborted: string[] = [];
  let kept = 0;
  // Listed first, aborted after: aborting while paging would shift the markers.
  const stale: IncompleteUpload[] = [];
  for await (const upload of incompleteUploads(store, options.prefix ?? '')) {
    if (upload.initiated.getTime() <= cutoff) stale.push(upload);
    else kept += 1;
  }
  for (const upload of stale) {
    await abortUpload(store, upload);
    aborted.push(upload.key);
  }
  return { aborted, kept };
}
