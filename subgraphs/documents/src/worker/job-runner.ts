import type { WorkerConfig } from '@docuvault/shared/config/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import { runWithRequestContext } from '@docuvault/shared/logging/request-context';
import { JOB_NAMES, type QueueName, type WorkerJobs } from '@docuvault/shared/queue/jobs';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkHandlers, handlerFor, type JobHandlers } from './registry.ts';

type AnyJob = WorkerJobs[keyof WorkerJobs];

export interface JobWorkerOptions {
  config: Pick<WorkerConfig, 'REDIS_PREFIX' | 'WORKER_LOCK_DURATION_MS' | 'WORKER_STALLED_INTERVAL_MS'>;
  /** The queue this worker takes jobs from, and how many it runs at once. */
  queue: QueueName;
  concurrency: number;
  /** A 'worker' connection (retries forever): BullMQ blocks on it. */
  connection: Redis;
  handlers: JobHandlers;
  logger: Logger;
  /** A classify job failed for good: its document must say so. */
  onDocumentFailed(documentId: string, reason: string): Promise<void>;
}

/**
 * A BullMQ worker on one queue (classify, or thumbnails), dispatching by job name. Lock and stall settings decide how fast a
 * dead worker's job moves on: BullMQ renews a running job's lock every half lockDuration
 * (handlers yield often, so a long job keeps it), and a lapsed lock is found by the next
 * stalled check. One stall is forgiven; a job that stalls again (it may be what kills
 * workers) fails.
 */
export function createJobWorker(options: JobWorkerOptions): Worker<AnyJob> {
  checkHandlers(options.handlers);
  const { config, logger } = options;
  // Three parameters: BullMQ passes the abort signal (cancelJob) only to a processor that declares it.
  const processor = async (job: Job<AnyJob>, token: string | undefined, signal: AbortSignal | undefined) => {
    const handler = handlerFor(options.handlers, job.name);
    if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
    const requestId = job.data.requestId ?? `job:${job.id}`;
    return runWithRequestContext({ requestId }, async () => {
      const jobSignal = signal ?? new AbortController().signal;
      try {
        return await handler(job as Job<never>, jobSignal, token);
      } catch (error) {
        if (!jobSignal.aborted) throw error;
        // Shutting down past the grace period: hand the job back instead of failing it.
        await job.moveToWait(token);
        logger.info({ jobId: job.id, name: job.name }, 'job handed back to the queue');
        throw new WaitingError();
      }
    });
  };
  const worker = new Worker<AnyJob>(options.queue, processor, {
    connection: options.connection,
    prefix: config.REDIS_PREFIX,
    concurrency: options.concurrency,
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: 1,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    logger.warn({ jobId: job.id, name: job.name, attempt: job.attemptsMade, err: error }, 'job failed');
    // finishedOn is set only when no retry follows. The handler has usually marked the
    // document already; this catches what it could not (a job failed for stalling twice).
    // A thumbnail that failed every attempt: the document stays as it is, without one.
    if (job.name === JOB_NAMES.makeThumbnail && job.finishedOn)
      logger.warn(
        { documentId: (job.data as WorkerJobs['make-thumbnail']).documentId, reason: error.message },
        'document has no thumbnail',
      );
    if (job.name === JOB_NAMES.classifyDocument && job.finishedOn) {
      const reason = /stalled/.test(error.message)
        ? 'Processing stopped twice without finishing (the worker died); the file may be too large or malformed.'
        : error.message;
      void options
        .onDocumentFailed((job.data as WorkerJobs['classify-document']).documentId, reason)
        .catch((markError: unknown) =>
          logger.error({ err: markError }, 'could not mark the document FAILED'),
        );
    }
  });
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled: its worker stopped; taken over'));
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  return worker;
}

/**
 * Graceful stop: no new jobs, running ones may finish within `graceMs`; after that they
 * are cancelled, and each hands its job back to the queue for another worker.
 */
export async function stopJobWorker(worker: Worker, graceMs: number, logger: Logger): Promise<void> {
  const timer = setTimeout(() => {
    logger.warn({ graceMs }, 'jobs still running after the grace period: handing them back');
    worker.cancelAllJobs('worker shutting down');
  }, graceMs);
  try {
    await worker.close();
  } finally {
    clearTimeout(timer);
  }
}
