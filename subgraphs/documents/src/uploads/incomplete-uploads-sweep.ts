import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { abortStaleUploads, type AbortResult } from '@docuvault/shared/object-store/multipart';

export interface IncompleteUploadsSweepDeps {
  readonly store: ObjectStore;
  readonly logger: Logger;
}

/**
 * Aborts multipart uploads begun more than `olderThanSeconds` ago and never completed or
 * aborted: an upload whose process or store died mid-way leaves its parts in the bucket,
 * invisible to object listings and charged to nobody. An upload still running is younger
 * than the threshold (MULTIPART_ABORT_AFTER_SECONDS, far above any upload's duration), so
 * it is left alone. Several replicas may sweep at once: aborting twice is harmless.
 */
export async function sweepIncompleteUploads(
  deps: IncompleteUploadsSweepDeps,
  options: { olderThanSeconds: number; now?: Date },
): Promise<AbortResult> {
  const result = await abortStaleUploads(deps.store, options);
  if (result.aborted.length > 0) {
    deps.logger.info(
      { count: result.aborted.length, keys: result.aborted },
      'aborted unfinished multipart uploads',
    );
  }
  return result;
}
