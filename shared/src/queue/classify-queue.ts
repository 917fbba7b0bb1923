import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  CLASSIFY_JOB_OPTIONS,
  classifyJobId,
  JOB_NAMES,
  QUEUE_NAMES,
  type ClassifyDocumentJob,
} from './jobs.ts';

export type ClassifyQueue = Queue<ClassifyDocumentJob>;

export function createClassifyQueue(connection: Redis, prefix: string): ClassifyQueue {
  const queue = new Queue<ClassifyDocumentJob>(QUEUE_NAMES.classify, {
    connection,
    prefix,
    defaultJobOptions: CLASSIFY_JOB_OPTIONS,
  });
  // Connection errors reach callers through the failing command and readiness
  // through its PING; without a listener BullMQ prints every reconnect attempt.
  queue.on('error', () => undefined);
  return queue;
}

export async function enqueueClassification(queue: ClassifyQueue, job: ClassifyDocumentJob): Promise<void> {
  await queue.add(JOB_NAMES.classifyDocument, job, { jobId: classifyJobId(job.documentId) });
}
