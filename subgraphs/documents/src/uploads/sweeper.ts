import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { runPeriodically, type PeriodicTask } from '@docuvault/shared/jobs/periodic';
import type { Logger } from '@docuvault/shared/logging/logger';
import { enqueueClassification, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findStaleUploads } from './uploads.repository.ts';

export interface SweeperDeps {
  /** The root entity manager; each sweep works on a fork. */
  readonly em: EntityManager;
  readonly queue: ClassifyQueue;
  readonly logger: Logger;
  readonly config: Pick<DocumentsConfig, 'UPLOAD_SWEEP_AFTER_SECONDS' | 'UPLOAD_SWEEP_INTERVAL_SECONDS'>;
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
  return runPeriodically(
    'upload sweep',
    deps.config.UPLOAD_SWEEP_INTERVAL_SECONDS * 1000,
    () => sweepOnce(deps),
    deps.logger,
  );
}
