import type { Logger } from '@docuvault/shared/logging/logger';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { requestRetrain, retrainPending } from '../classification/enqueue.ts';
import { findStaleVaults } from '../classification/training.repository.ts';
import { retrainClassifier } from '../classification/training.service.ts';
import { classifyDocumentJob, type ClassifyDeps } from './classify-handler.ts';
import type { JobHandlers } from './registry.ts';
import { makeThumbnailJob, type ThumbnailJobDeps } from './thumbnail-handler.ts';

export interface HandlerDeps extends ClassifyDeps, ThumbnailJobDeps {
  queue: ClassifyQueue;
  logger: Logger;
  retrainDebounceMs: number;
}

/** The registry: one handler per job name of shared/src/queue/jobs.ts. */
export function createHandlers(deps: HandlerDeps): JobHandlers {
  return {
    'classify-document': (job, signal, token) => classifyDocumentJob(deps, job, signal, token),
    'make-thumbnail': (job, signal) => makeThumbnailJob(deps, job, signal),
    'retrain-classifier': async (job) => {
      const result = await retrainClassifier(deps.em.fork(), job.data.owner, deps.logger);
      return { modelId: result.id, documentsUsed: result.documentsUsed, topics: result.topics };
    },
    'check-classifier-labels': async (job) => {
      let requested = 0;
      for (const owner of await findStaleVaults(deps.em.fork())) {
        // One that waits or trains now stores the older fingerprint if labels moved on
        // meanwhile, so a later check catches up; asking again now would train twice.
        if (await retrainPending(deps.queue, owner)) continue;
        await requestRetrain(deps.queue, owner, {
          requestId: job.data.requestId,
          debounceMs: deps.retrainDebounceMs,
        });
        requested++;
      }
      if (requested > 0)
        deps.logger.info({ vaults: requested }, 'hand-set topics changed: retraining requested');
      return { retrainRequested: requested };
    },
  };
}
