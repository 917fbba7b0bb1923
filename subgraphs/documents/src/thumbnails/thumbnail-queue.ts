import {
  JOB_NAMES,
  QUEUE_NAMES,
  THUMBNAIL_JOB_OPTIONS,
  thumbnailDeduplicationId,
  type MakeThumbnailJob,
} from '@docuvault/shared/queue/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { thumbnailSource } from './thumbnails.ts';

// Thumbnails are jobs of their own queue (docs/adr/0015-thumbnail-jobs.md): a classify job
// asks for one once the document is CLASSIFIED, and the worker's thumbnail slots, apart
// from its classification slots, make it.

export type ThumbnailQueue = Queue<MakeThumbnailJob>;

export function createThumbnailQueue(connection: Redis, prefix: string): ThumbnailQueue {
  const queue = new Queue<MakeThumbnailJob>(QUEUE_NAMES.thumbnails, {
    connection,
    prefix,
    defaultJobOptions: THUMBNAIL_JOB_OPTIONS,
  });
  // As the classify queue: errors reach callers through the failing command.
  queue.on('error', () => undefined);
  return queue;
}

/**
 * Asks for the document's thumbnail when its type has one; answers whether it asked. One
 * pending job per document: a request while one waits or runs is absorbed.
 */
export async function requestThumbnail(
  queue: ThumbnailQueue,
  document: { id: string; mimeType: string },
  requestId?: string,
): Promise<boolean> {
  if (!thumbnailSource(document.mimeType)) return false;
  await queue.add(
    JOB_NAMES.makeThumbnail,
    { documentId: document.id, ...(requestId ? { requestId } : {}) },
    { deduplication: { id: thumbnailDeduplicationId(document.id) } },
  );
  return true;
}
