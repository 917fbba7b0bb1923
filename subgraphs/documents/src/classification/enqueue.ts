import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import {
  JOB_NAMES,
  reclassifyDeduplicationId,
  RETRAIN_DEBOUNCE_MS,
  RETRAIN_JOB_OPTIONS,
  retrainDeduplicationId,
  type ClassifyQueueJobs,
} from '@docuvault/shared/queue/jobs';
import type { Queue } from 'bullmq';

// Producers of the classification worker's jobs, for the subgraph and the worker alike.

type AnyJob = ClassifyQueueJobs[keyof ClassifyQueueJobs];
// The classify queue carries every job of the worker (its registry maps each name to a
// handler); classify-queue.ts types it by its first job only.
const jobsOf = (queue: ClassifyQueue) => queue as unknown as Queue<AnyJob>;

/**
 * Asks for the vault's classifier to be retrained, debounced: requests in quick
 * succession (a person tagging documents one after another) become one training,
 * `debounceMs` (default RETRAIN_DEBOUNCE_MS) after the last; one made during a training
 * runs after it.
 */
export async function requestRetrain(
  queue: ClassifyQueue,
  owner: string | null,
  options: { requestId?: string | undefined; debounceMs?: number } = {},
): Promise<void> {
  await jobsOf(queue).add(
    JOB_NAMES.retrainClassifier,
    { owner, ...(options.requestId ? { requestId: options.requestId } : {}) },
    {
      ...RETRAIN_JOB_OPTIONS,
      delay: options.debounceMs ?? RETRAIN_DEBOUNCE_MS,
      deduplication: { id: retrainDeduplicationId(owner), replace: true, keepLastIfActive: true },
    },
  );
}

/** A retraining of the vault is waiting or running (its deduplication key is held). */
export async function retrainPending(queue: ClassifyQueue, owner: string | null): Promise<boolean> {
  return (await queue.getDeduplicationJobId(retrainDeduplicationId(owner))) !== null;
}

const BULK = 500;

/**
 * Queues a classification of each document. One pending job per document: a request
 * while one waits is absorbed, one while it runs is kept to run after it (the topics or
 * the model may have changed in between). Answers how many were requested.
 */
export async function requestReclassification(
  queue: ClassifyQueue,
  documentIds: readonly string[],
  requestId?: string,
): Promise<number> {
  for (let start = 0; start < documentIds.length; start += BULK) {
    await queue.addBulk(
      documentIds.slice(start, start + BULK).map((documentId) => ({
        name: JOB_NAMES.classifyDocument,
        data: { documentId, ...(requestId ? { requestId } : {}) },
        opts: { deduplication: { id: reclassifyDeduplicationId(documentId), keepLastIfActive: true } },
      })),
    );
  }
  return documentIds.length;
}

/** The label check's job scheduler id: one per queue, however many workers upsert it. */
export const LABEL_CHECK_SCHEDULER = 'check-classifier-labels';

/**
 * Runs the label check every `seconds` (BullMQ job scheduler: one job per interval for
 * the whole pool, not one per worker). It catches every change of hand-set topics,
 * including those made by cascades (a topic or document deleted) that no service sees.
 */
export async function scheduleLabelCheck(queue: ClassifyQueue, seconds: number): Promise<void> {
  await jobsOf(queue).upsertJobScheduler(
    LABEL_CHECK_SCHEDULER,
    { every: seconds * 1000 },
    {
      name: JOB_NAMES.checkClassifierLabels,
      data: {},
      opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 10 } },
    },
  );
}
