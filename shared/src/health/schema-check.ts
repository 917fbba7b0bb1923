import type { EntityManager } from '@mikro-orm/postgresql';
import { readMigrationStatus } from '../db/migration-status.ts';
import { schemaProblem } from '../migrations/index.ts';
import type { HealthCheck } from './checks.ts';

/**
 * Not ready while the database has pending or changed migrations: a service
 * on a stale schema would serve errors later, so it says so up front. The
 * status is re-read at most every `ttlMs`, through the service's own ORM pool
 * (its timeouts bound the read; a fork per read keeps no state between them).
 */
export function schemaCurrentCheck(em: EntityManager, ttlMs = 5_000): HealthCheck {
  let cached: { at: number; problem: string | null } | undefined;
  return {
    component: 'postgres:schema',
    async run() {
      if (!cached || Date.now() - cached.at > ttlMs) {
        cached = { at: Date.now(), problem: schemaProblem(await readMigrationStatus(em.fork())) };
      }
      if (cached.problem) throw new Error(cached.problem);
    },
  };
}
