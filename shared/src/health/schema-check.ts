import pg from 'pg';
import { migrationStatus, schemaProblem } from '../migrations/index.ts';
import type { HealthCheck } from './checks.ts';

/**
 * Not ready while the database has pending or changed migrations: a service
 * on a stale schema would serve errors later, so it says so up front. The
 * status is re-read at most every `ttlMs` on one dedicated connection.
 */
export function schemaCurrentCheck(
  databaseUrl: string,
  ttlMs = 5_000,
): HealthCheck & { close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 30_000 });
  pool.on('error', () => undefined);
  let cached: { at: number; problem: string | null } | undefined;
  return {
    component: 'postgres:schema',
    async run() {
      if (!cached || Date.now() - cached.at > ttlMs) {
        cached = { at: Date.now(), problem: schemaProblem(await migrationStatus(pool)) };
      }
      if (cached.problem) throw new Error(cached.problem);
    },
    close: () => pool.end(),
  };
}
