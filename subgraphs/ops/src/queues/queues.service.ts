import { AppError } from '@docuvault/shared/errors/index';
import { ErrorCode as BullErrorCode, type Queue } from 'bullmq';

export interface QueueStats {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: boolean;
  oldestWaitingAgeSeconds: number | null;
  workers: number;
}

/** One queue's counts, read in parallel (each one Redis round trip). */
export async function queueStats(queue: Queue): Promise<QueueStats> {
  const [counts, paused, workers, [head]] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
    queue.isPaused(),
    queue.getWorkersCount(),
    // asc: the end of the wait list workers take from, i.e. the job that has queued longest.
    queue.getJobs('waiting', 0, 0, true),
  ]);
  const count = (type: string) => counts[type] ?? 0;
  return {
    name: queue.name,
    waiting: count('waiting') + count('prioritized'),
    active: count('active'),
    delayed: count('delayed'),
    completed: count('completed'),
    failed: count('failed'),
    paused,
    oldestWaitingAgeSeconds: head ? Math.max(0, Date.now() - head.timestamp) / 1_000 : null,
    workers,
  };
}

export async function pauseQueue(queue: Queue): Promise<QueueStats> {
  await queue.pause();
  return queueStats(queue);
}

export async function resumeQueue(queue: Queue): Promise<QueueStats> {
  await queue.resume();
  return queueStats(queue);
}

/**
 * An operator's retry starts the job afresh: its attempt counters are reset, so it gets every
 * configured attempt and backoff again instead of one last try.
 */
const RETRY_AFRESH = { resetAttemptsMade: true, resetAttemptsStarted: true };

const jobNotFound = (queue: Queue, id: string) =>
  new AppError('NOT_FOUND', `queue ${queue.name} keeps no job ${id}`, { queue: queue.name, id });

const bullCode = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;

/**
 * Moves one failed job back to waiting. True when moved; false when the job exists but is
 * not failed (someone retried it first, or it is running or done); NOT_FOUND when the
 * queue keeps no such job. BullMQ checks the state and moves the job in one script.
 */
export async function retryJob(queue: Queue, id: string): Promise<boolean> {
  const job = await queue.getJob(id);
  if (!job) throw jobNotFound(queue, id);
  try {
    await job.retry('failed', RETRY_AFRESH);
    return true;
  } catch (error) {
    if (bullCode(error) === BullErrorCode.JobNotInState) return false;
    if (bullCode(error) === BullErrorCode.JobNotExist) throw jobNotFound(queue, id);
    throw error;
  }
}

const RETRY_BATCH = 50;

/**
 * Retries every job failed when the call starts (a snapshot of ids, oldest failure first, so
 * a job that fails again meanwhile is not retried twice), counting the ones actually moved.
 * Not `Queue.retryJobs`: it neither resets attempts nor says how many it moved.
 */
export async function retryAllFailed(queue: Queue): Promise<number> {
  const ids = await queue.getRanges(['failed'], 0, -1, true);
  let retried = 0;
  for (let start = 0; start < ids.length; start += RETRY_BATCH) {
    const batch = ids.slice(start, start + RETRY_BATCH);
    const moved = await Promise.all(batch.map((id) => retryJob(queue, id).catch(skipVanished)));
    retried += moved.filter(Boolean).length;
  }
  return retried;
}

/** A job removed (by age) between the snapshot and its retry is not an error of the whole call. */
function skipVanished(error: unknown): false {
  if (error instanceof AppError && error.code === 'NOT_FOUND') return false;
  throw error;
}
