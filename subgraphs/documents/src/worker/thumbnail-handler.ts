import type { MakeThumbnailJob } from '@docuvault/shared/queue/jobs';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from 'bullmq';
import {
  makeThumbnail,
  type ThumbnailDeps,
  type ThumbnailOutcome,
} from '../thumbnails/thumbnails.service.ts';
import type { DocumentCancellations } from './document-cancellations.ts';

export interface ThumbnailJobDeps {
  /** The root entity manager; each job works on a fork. */
  em: EntityManager;
  cancellations: DocumentCancellations;
  thumbnails: ThumbnailDeps;
}

/**
 * `make-thumbnail`: the document's thumbnail, if it is still there, of a type that has one,
 * and has none yet. A document deleted meanwhile stops the job (its renderer is killed) and
 * it completes; a shutdown throws, so the job runner hands the job back to the queue.
 * Failures of the store or the database are thrown and retried (THUMBNAIL_JOB_OPTIONS);
 * none of it touches the document's classification.
 */
export async function makeThumbnailJob(
  deps: ThumbnailJobDeps,
  job: Job<MakeThumbnailJob>,
  signal: AbortSignal,
): Promise<ThumbnailOutcome> {
  const { documentId } = job.data;
  const deletion = deps.cancellations.watch(documentId);
  try {
    const stop = AbortSignal.any([signal, deletion.signal]);
    const result = await makeThumbnail(deps.thumbnails, deps.em.fork(), documentId, stop).catch(
      (error: unknown) => {
        if (deletion.signal.aborted && !signal.aborted) return { outcome: 'gone' } as const;
        throw error;
      },
    );
    if (result.outcome === 'stopped' && signal.aborted) throw signal.reason;
    return result.outcome === 'stopped' ? { outcome: 'gone' } : result;
  } finally {
    deletion.release();
  }
}
