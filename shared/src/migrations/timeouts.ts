import type pg from 'pg';
import type { MigrationFile } from './files.ts';

export interface Timeouts {
  /** lock_timeout for each migration: a blocked ALTER gives up instead of queueing every runtime query behind it. */
  readonly lockTimeoutMs: number;
  /** statement_timeout for each migration; 0 = none. */
  readonly statementTimeoutMs: number;
  /** How long to wait for another runner's advisory lock. */
  readonly lockWaitMs: number;
}

/** Same defaults as MIGRATE_LOCK_TIMEOUT_MS, MIGRATE_STATEMENT_TIMEOUT_MS and MIGRATE_LOCK_WAIT_SECONDS. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  lockTimeoutMs: 10_000,
  statementTimeoutMs: 0,
  lockWaitMs: 300_000,
};

export function resolveTimeouts(options: Partial<Timeouts>): Timeouts & {
  apply(client: pg.Client, migration: MigrationFile, scope: 'local' | 'session'): Promise<void>;
} {
  const base = {
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_TIMEOUTS.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_TIMEOUTS.statementTimeoutMs,
    lockWaitMs: options.lockWaitMs ?? DEFAULT_TIMEOUTS.lockWaitMs,
  };
  return {
    ...base,
    /** A file's header wins over the configured values. Numbers only: nothing from a file is spliced in as text. */
    async apply(client, migration, scope) {
      const lock = Math.trunc(migration.header.lockTimeoutMs ?? base.lockTimeoutMs);
      const statement = Math.trunc(migration.header.statementTimeoutMs ?? base.statementTimeoutMs);
      const set = scope === 'local' ? 'set local' : 'set';
      await client.query(`${set} lock_timeout = ${lock}; ${set} statement_timeout = ${statement}`);
    },
  };
}
