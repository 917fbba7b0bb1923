import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { runPeriodically, type PeriodicTask } from '@docuvault/shared/jobs/periodic';
import type { Logger } from '@docuvault/shared/logging/logger';
import { enqueueClassification, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sweepIncompleteUploads } from './incomplete-uploads-sweep.ts';
import { findStaleUploads } from './uploads.repository.ts';

export interface SweeperDeps {
  /** The root entity manager; each sweep works on a fork. */
  readonly em: EntityManager;
  readonly queue: ClassifyQueue;
  readonly logger: Logger;
  readonly config: Pick<DocumentsConfig, 'UPLOAD_SWEEP_AFTER_SECONDS' | 'UPLOAD_SWEEP_INTERVAL_SECONDS'> &
    Partial<Pick<DocumentsConfig, 'MULTIPART_ABORT_AFTER_SECONDS'>>;
  /** With MULTIPART_ABORT_AFTER_SECONDS: each sweep also aborts unfinished multipart uploads that old. */
  readonly store?: ObjectStore;
}

export interface SweepResult {
  /** Documents whose classify job was (re-)added. */
  readonly requeued: string[];
  /** Documents the queue refused (Redis still away): tried again next sweep. */
  readonly failed: string[];
}

const BATCH = 500;

/**
 * Re-enqueues documents left UPLOADED for longer than the threshold: their job never
 * reached Redis (it was down during the upload), or Redis lost it. Harmless when the
 * job does exist: the job id is the document id, so BullMQ ignores the second add, and
 * several replicas may sweep at once.
 */
export async function sweepOnce(
  deps: Omit<SweeperDeps, 'config'> & { config: Pick<DocumentsConfig, 'UPLOAD_SWEEP_AFTER_SECONDS'> },
  options: { olderThanSeconds?: number } = {},
): Promise<SweepResult> {
  const olderThan = options.olderThanSeconds ?? deps.config.UPLOAD_SWEEP_AFTER_SECONDS;
  const ids = await findStaleUploads(deps.em.fork(), olderThan, BATCH);
  const requeued: string[] = [];
  const failed: string[] = [];
  for (const documentId of ids) {
    try {
      await enqueueClassification(deps.queue, { documentId });
      requeued.push(documentId);
    } catch (error) {
      failed.push(documentId);
      // Redis is most likely away: the rest would fail the same way.
      deps.logger.warn({ err: error, documentId }, 'upload sweeper could not enqueue; will retry');
      break;
    }
  }
  if (requeued.length > 0)
    deps.logger.info({ count: requeued.length }, 'upload sweeper re-enqueued documents');
  return { requeued, failed };
}

export type RunningSweeper = PeriodicTask;

/** Sweeps every UPLOAD_SWEEP_INTERVAL_SECONDS (see runPeriodically for overlap and failures). */
export function startSweeper(deps: SweeperDeps): RunningSweeper {
  const { store, config } = deps;
  const abortAfter = config.MULTIPART_ABORT_AFTER_SECONDS;
  return runPeriodically(
    'upload sweep',
    config.UPLOAD_SWEEP_INTERVAL_SECONDS * 1000,
    async () => {
      // Each half on its own: a store that is away must not keep documents from being re-enqueued.
      const [requeue, abort] = await Promise.allSettled([
        sweepOnce(deps),
        store && abortAfter !== undefined
          ? sweepIncompleteUploads({ store, logger: deps.logger }, { olderThanSeconds: abortAfter })
          : undefined,
      ]);
      if (abort.status === 'rejected') {
        deps.logger.warn(
          { err: abort.reason },
          'upload sweeper could not abort unfinished uploads; will retry',
        );
      }
      if (requeue.status === 'rejected') throw requeue.reason;
    },
    deps.logger,
  );
}
