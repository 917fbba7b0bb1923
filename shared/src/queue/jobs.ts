import type { JobsOptions } from 'bullmq';

// The one registry of queues and their job payloads. A worker refuses to
// start when a job name here has no handler (see the worker's registry).

export const QUEUE_NAMES = {
  classify: 'classify',
  /** Thumbnails: a queue of their own, so rendering them never holds a classification slot. */
  thumbnails: 'thumbnails',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const JOB_NAMES = {
  classifyDocument: 'classify-document',
  /** Trains the auto-classifier of one vault from its hand-set topics. */
  retrainClassifier: 'retrain-classifier',
  /** Periodic: asks for a retrain of every vault whose hand-set topics changed since its model. */
  checkClassifierLabels: 'check-classifier-labels',
  /** On the thumbnails queue: renders and stores a classified document's thumbnail. */
  makeThumbnail: 'make-thumbnail',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** Only ids travel through Redis: the worker reads everything else from Postgres and the bucket. */
export interface ClassifyDocumentJob {
  documentId: string;
  requestId?: string;
}

export interface RetrainClassifierJob {
  /** The vault: a user's id, null for the anonymous vault. */
  owner: string | null;
  requestId?: string;
}

export interface CheckClassifierLabelsJob {
  requestId?: string;
}

/** The payload of each job name on the classify queue. */
export interface ClassifyQueueJobs {
  'classify-document': ClassifyDocumentJob;
  'retrain-classifier': RetrainClassifierJob;
  'check-classifier-labels': CheckClassifierLabelsJob;
}

export interface MakeThumbnailJob {
  documentId: string;
  requestId?: string;
}

/** The payload of each job name on the thumbnails queue. */
export interface ThumbnailQueueJobs {
  'make-thumbnail': MakeThumbnailJob;
}

/** Every job a worker runs, whichever queue carries it: one registry of handlers covers them all. */
export type WorkerJobs = ClassifyQueueJobs & ThumbnailQueueJobs;

export const CLASSIFY_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** Deterministic: enqueueing a document twice while its job exists is a no-op. */
export const classifyJobId = (documentId: string) => documentId;

/**
 * Debounce of retraining: requests within this window become one job (BullMQ
 * deduplication with a fixed id per vault, `replace` restarting the delay), and a request
 * made while one trains runs once more after it (`keepLastIfActive`).
 */
export const RETRAIN_DEBOUNCE_MS = 10_000;
export const retrainDeduplicationId = (owner: string | null) => `retrain:${owner ?? '_anonymous'}`;

export const RETRAIN_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};

/**
 * Reclassification asked for by a person: not the upload's job id (that job may still be
 * kept as completed, which would make a new add a no-op), but one pending job per document.
 */
export const reclassifyDeduplicationId = (documentId: string) => `reclassify:${documentId}`;

/**
 * A thumbnail is an extra: a few tries with a longer backoff (the store or the database may be
 * away for a moment); a file the renderer refuses is not retried at all (the handler completes
 * with the reason). Failed jobs are kept like classify's, for ops to list and retry.
 */
export const THUMBNAIL_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/**
 * One pending thumbnail job per document (BullMQ deduplication, released when the job ends):
 * a retried or repeated classification asks again, and the handler finds the thumbnail made.
 */
export const thumbnailDeduplicationId = (documentId: string) => `thumbnail:${documentId}`;
