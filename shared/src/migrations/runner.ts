import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { isDatabaseError, withClient } from './connection.ts';
import {
  MigrationConflictError,
  MigrationDriftError,
  MigrationError,
  MigrationFailedError,
} from './errors.ts';
import { defaultMigrationsDir, readMigrations, type MigrationFile } from './files.ts';
import { ensureLedger, readLedger, recordApplied, removeApplied } from './ledger.ts';
import { compareMigrations, outOfOrderPending, type MigrationEntry } from './status.ts';

export interface MigrationLogger {
  info(message: string): void;
}

export interface RunOptions {
  logger?: MigrationLogger;
}

/**
 * One fixed key for every runner of this schema. Session-level, held on the same
 * connection that applies the migrations, so it is released if the runner dies.
 */
export const ADVISORY_LOCK_KEY = '7163402718465028';

/**
 * "Already exists" errors. In the dry run they mean the database holds objects that a
 * pending migration would create: someone changed it by hand (or restored it beside
 * the ledger), and applying on top would be a guess.
 */
const DUPLICATE_OBJECT_CODES = new Set([
  '42P07', // duplicate_table (also indexes, sequences, views)
  '42710', // duplicate_object (constraints, types, roles, triggers, policies)
  '42701', // duplicate_column
  '42P06', // duplicate_schema
  '42723', // duplicate_function
]);

const silent: MigrationLogger = { info: () => {} };

async function withMigrationLock<T>(
  client: pg.Client,
  logger: MigrationLogger,
  fn: () => Promise<T>,
): Promise<T> {
  const { rows } = await client.query<{ locked: boolean }>(
    `select pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) as locked`,
  );
  if (rows[0]?.locked !== true) {
    logger.info('another migration runner holds the lock; waiting for it to finish');
    await client.query(`select pg_advisory_lock(${ADVISORY_LOCK_KEY})`);
  }
  try {
    return await fn();
  } finally {
    // Best effort: if the connection broke, the session (and with it the lock) is gone
    // already, and the original error is the one worth reporting.
    await client.query(`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`).catch(() => {});
  }
}

interface Plan {
  readonly files: MigrationFile[];
  readonly entries: MigrationEntry[];
  readonly pending: MigrationFile[];
}

/** Reads files and ledger (under the lock) and refuses when they disagree. */
async function plan(client: pg.Client, dir: string): Promise<Plan> {
  const files = await readMigrations(dir);
  const entries = compareMigrations(files, await readLedger(client));
  const named = (state: MigrationEntry['state']) =>
    entries.filter((e) => e.state === state).map((e) => e.name);
  const drift = {
    missing: named('APPLIED_BUT_MISSING'),
    changed: named('APPLIED_BUT_CHANGED'),
    outOfOrder: outOfOrderPending(entries),
  };
  if (drift.missing.length + drift.changed.length + drift.outOfOrder.length > 0) {
    throw new MigrationDriftError(drift);
  }
  const pendingNames = new Set(named('PENDING'));
  return { files, entries, pending: files.filter((file) => pendingNames.has(file.name)) };
}

/** `relation "documents" already exists` → `relation "documents"`; keeps the kind and the owner of a column. */
function objectNamedIn(error: pg.DatabaseError): string {
  return /^(.+?) already exists/.exec(error.message)?.[1] ?? 'an object';
}

/**
 * Runs every pending migration in one transaction that is always rolled back, to find
 * conflicts before anything changes. Stops quietly at any other error: the real run then
 * applies what precedes it and reports the failure with the migration's own name.
 */
async function detectConflicts(client: pg.Client, pending: readonly MigrationFile[]): Promise<void> {
  await client.query('begin');
  try {
    for (const migration of pending) {
      try {
        await client.query(migration.up.sql);
      } catch (error) {
        if (isDatabaseError(error) && error.code && DUPLICATE_OBJECT_CODES.has(error.code)) {
          throw new MigrationConflictError(migration.name, objectNamedIn(error), error);
        }
        return;
      }
    }
  } finally {
    await client.query('rollback');
  }
}

async function inTransaction(
  client: pg.Client,
  migration: MigrationFile,
  direction: 'up' | 'down',
  work: () => Promise<void>,
): Promise<void> {
  await client.query('begin');
  try {
    await work();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    const section = direction === 'up' ? migration.up : migration.down;
    throw isDatabaseError(error)
      ? new MigrationFailedError(migration.name, direction, section, error)
      : error;
  }
}

export interface UpResult {
  /** Names applied by this call, in order; empty when another runner (or an earlier run) did the work. */
  readonly applied: string[];
}

/** Applies every pending migration in name order, each in its own transaction, under the advisory lock. */
export async function migrateUp(
  url: string,
  dir: string = defaultMigrationsDir,
  options: RunOptions = {},
): Promise<UpResult> {
  const logger = options.logger ?? silent;
  return withClient(url, (client) =>
    withMigrationLock(client, logger, async () => {
      const { pending } = await plan(client, dir);
      if (pending.length === 0) {
        logger.info('database is up to date');
        return { applied: [] };
      }
      await detectConflicts(client, pending);
      await ensureLedger(client);
      const applied: string[] = [];
      for (const migration of pending) {
        let elapsed = 0;
        await inTransaction(client, migration, 'up', async () => {
          const started = performance.now();
          await client.query(migration.up.sql);
          elapsed = performance.now() - started;
          await recordApplied(client, migration.name, migration.checksum, elapsed);
        });
        logger.info(`applied ${migration.name} (${Math.round(elapsed)} ms)`);
        applied.push(migration.name);
      }
      return { applied };
    }),
  );
}

export interface DownResult {
  /** The migration rolled back, or null when none was applied. */
  readonly rolledBack: string | null;
}

/** Rolls back the newest applied migration only, in one transaction, under the advisory lock. */
export async function migrateDown(
  url: string,
  dir: string = defaultMigrationsDir,
  options: RunOptions = {},
): Promise<DownResult> {
  const logger = options.logger ?? silent;
  return withClient(url, (client) =>
    withMigrationLock(client, logger, async () => {
      const { files, entries } = await plan(client, dir);
      const last = entries.filter((entry) => entry.state === 'APPLIED').at(-1);
      if (!last) {
        logger.info('no applied migration to roll back');
        return { rolledBack: null };
      }
      const migration = files.find((file) => file.name === last.name)!;
      if (migration.down.empty) {
        throw new MigrationError(
          `${migration.name} has an empty "-- migrate:down" section and cannot be rolled back`,
        );
      }
      await inTransaction(client, migration, 'down', async () => {
        await client.query(migration.down.sql);
        await removeApplied(client, migration.name);
      });
      logger.info(`rolled back ${migration.name}`);
      return { rolledBack: migration.name };
    }),
  );
}
