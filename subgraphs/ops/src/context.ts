import type { RequestIdentity } from '@docuvault/shared/auth/request-identity';
import type { OpsConfig } from '@docuvault/shared/config/index';
import type { HealthReport } from '@docuvault/shared/health/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { QueueRegistry } from './queues/queue-registry.ts';

export interface OpsDeps {
  config: OpsConfig;
  logger: Logger;
  /**
   * The ORM on the runtime role (createOrm: the service's pool size and timeouts): ops
   * reads through db(em) like every service, and it never changes the schema.
   */
  orm: MikroORM;
  redis: Redis;
  store: ObjectStore;
  queue: ClassifyQueue;
  /** Where the migration files live (the runner's default unless a test says otherwise). */
  migrationsDir?: string;
}

export interface OpsContext extends OpsDeps, RequestIdentity {
  /** Every dependency's health, shared between concurrent callers for a second. */
  health: () => Promise<HealthReport>;
  /** Every queue of the job registry, by name (`queue` is the classify one among them). */
  queues: QueueRegistry;
  /**
   * The operator token presented: `X-Ops-Token` (what the gateway forwards), or the
   * Authorization bearer of a direct call. Every field but health checks it, unless the
   * principal is an admin (see auth/operator.ts).
   */
  opsToken: string | undefined;
  requestId: string | undefined;
  /** This request's fork of the ORM's EntityManager: read with db(context.em). */
  em: EntityManager;
}
