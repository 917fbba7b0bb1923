import type { Redis } from 'ioredis';

// Deleting a document stops its running classification: the documents subgraph announces
// the deletion on this channel and the worker running a job of that document kills its
// extraction. Pub/sub, not BullMQ: worker.cancelJob reaches only the jobs of its own
// process, and BullMQ's Relay is still experimental. A missed message costs only time:
// the job finds the document gone when it writes its result.

export const documentDeletedChannel = (prefix: string) => `${prefix}:classify:document-deleted`;

export async function announceDocumentsDeleted(
  redis: Redis,
  prefix: string,
  documentIds: readonly string[],
): Promise<void> {
  for (const id of documentIds) await redis.publish(documentDeletedChannel(prefix), id);
}
