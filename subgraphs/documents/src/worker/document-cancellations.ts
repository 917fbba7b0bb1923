import type { Logger } from '@docuvault/shared/logging/logger';
import { documentDeletedChannel } from '@docuvault/shared/queue/document-events';
import { createRedis } from '@docuvault/shared/queue/redis';
import type { Redis } from 'ioredis';

export class DocumentDeletedError extends Error {
  constructor(documentId: string) {
    super(`document ${documentId} was deleted`);
    this.name = 'DocumentDeletedError';
  }
}

/**
 * Hears the documents subgraph announce deletions (shared/src/queue/document-events.ts)
 * and aborts the signal of every running job of a deleted document in this process.
 */
export class DocumentCancellations {
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly subscriber: Redis;

  private constructor(subscriber: Redis) {
    this.subscriber = subscriber;
  }

  /** Subscribes on its own connection (a subscribed connection can run nothing else). */
  static async start(redisUrl: string, prefix: string, logger: Logger): Promise<DocumentCancellations> {
    const subscriber = createRedis(redisUrl, 'worker');
    const cancellations = new DocumentCancellations(subscriber);
    subscriber.on('message', (_channel: string, documentId: string) => {
      if (cancellations.cancel(documentId))
        logger.info({ documentId }, 'document deleted: its job is stopped');
    });
    // ioredis subscribes again by itself after a reconnection.
    await subscriber.subscribe(documentDeletedChannel(prefix));
    return cancellations;
  }

  /** A signal aborted when `documentId` is deleted; release it when the job ends. */
  watch(documentId: string): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    const set = this.running.get(documentId) ?? new Set();
    set.add(controller);
    this.running.set(documentId, set);
    return {
      signal: controller.signal,
      release: () => {
        set.delete(controller);
        if (set.size === 0 && this.running.get(documentId) === set) this.running.delete(documentId);
      },
    };
  }

  /** Answers whether a running job of the document was stopped. */
  cancel(documentId: string): boolean {
    const set = this.running.get(documentId.toLowerCase());
    if (!set) return false;
    for (const controller of set) controller.abort(new DocumentDeletedError(documentId));
    return set.size > 0;
  }

  close(): void {
    this.subscriber.disconnect();
  }
}
