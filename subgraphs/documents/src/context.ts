import type { RequestIdentity } from '@docuvault/shared/auth/request-identity';
import type { DocumentsConfig } from '@docuvault/shared/config/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';

/** Long-lived dependencies of the documents subgraph, created once per process. */
export interface DocumentsDeps {
  config: DocumentsConfig;
  logger: Logger;
  /** The root entity manager; requests work on a fork of it. */
  em: EntityManager;
  store: ObjectStore;
  queue: ClassifyQueue;
  /** Commands answered at once or failing at once (a `producer` connection): sign-in rate limits. */
  redis: Redis;
}

/** Per request: a fresh identity map (forked entity manager), so requests never share state. */
export interface DocumentsContext extends Omit<DocumentsDeps, 'em'>, RequestIdentity {
  em: EntityManager;
  requestId: string | undefined;
}
