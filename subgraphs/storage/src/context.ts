import type { RequestIdentity } from '@docuvault/shared/auth/request-identity';
import type { StorageConfig } from '@docuvault/shared/config/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { EntityManager } from '@mikro-orm/postgresql';

/** What direct uploads need beyond the bucket: tickets live in PostgreSQL, documents are queued. */
export interface TicketDeps {
  /** The root entity manager in StorageDeps; a per-request fork in the context. */
  em: EntityManager;
  queue: ClassifyQueue;
}

export interface StorageContext extends RequestIdentity {
  config: StorageConfig;
  logger: Logger;
  store: ObjectStore;
  requestId: string | undefined;
  /** Direct uploads' dependencies; SERVICE_UNAVAILABLE on an instance started without them. */
  tickets(): TicketDeps;
}
