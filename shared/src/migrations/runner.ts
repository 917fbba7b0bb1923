import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { isDatabaseError, withClient } from './connection.ts';
import { detectConflicts } from './conflicts.ts';
import { MigrationError, MigrationFailedError } from './errors.ts';
import { defaultMigrationsDir, type MigrationFile } from './files.ts';
import { ensureLedger, recordApplied, removeApplied } from './ledger.ts';
import { withMigrationLock } from './lock.ts';
import { silent, type MigrationLogger } from './logger.ts';
import { formatUpPlan, readPlan } from './plan.ts';
import { assertOwnerRole } from './role.ts';
import { resolveTimeouts } from './timeouts.ts';

type Timeouts = ReturnType<typeof resolveTimeouts>;

export { ADVISORY_LOCK_KEY } from './lock.ts';
export type { MigrationLogger } from './logger.ts';

export interface RunOptions extends Partial<Omit<Timeouts, 'apply'>> {
  logger?: MigrationLogger;
  /** Print what would be done and change nothing. */
  plan?: boolean;
}

/** Shows PostgreSQL's NOTICEs (an IF NOT EXISTS that did nothing, a data migration's RAISE NOTICE) while `fn` runs. */
async function withNotices<T>(
  client: pg.Client,
  logger: MigrationLogger,
  migration: string,
  fn: () => Promise<T>,
): Promise<T> {
  const show = (notice: { message?: string; severity?: string }) =>
    logger.info(`  ${migration}: ${notice.severity ?? 'NOTICE'}: ${notice.message}`);
  client.on('notice', show);
  try {
    return await fn();
  } finally {
    client.off('notice', show);
  }
}

async function inTransaction(
  client: pg.Client,
  migration: MigrationFile,
  direction: 'up' | 'down',
  timeouts: Timeouts,
  work: () => Promise<void>,
): Promise<void> {
  await client.query('begin');
  try {
    await timeouts.apply(client, migration, 'local');
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

/** A `-- migrate: no-transaction` migration: statement by statement, each committing on its own. */
async function runWithoutTransaction(
  client: pg.Client,
  migration: MigrationFile,
  direction: 'up' | 'down',
  timeouts: Timeouts,
) {
  const { analysis, firstLine } = direction === 'up' ? migration.up : migration.down;
  // parseMigration refuses a no-transaction file that does not parse; this guard narrows the type.
  if (!analysis.ok) throw new MigrationError(`${migration.name}: ${analysis.syntaxError}`);
  await timeouts.apply(client, migration, 'session');
  let done = 0;
  try {
    for (const statement of analysis.statements) {
      try {
        await client.query(statement.sql);
      } catch (error) {
        if (!isDatabaseError(error)) throw error;
        const location = { sql: statement.sql, firstLine: firstLine + statement.line - 1 };
        throw new MigrationFailedError(migration.name, direction, location, error, {
          done,
          of: analysis.statements.length,
        });
      }
      done++;
    }
  } finally {
    await client.query('reset lock_timeout; reset statement_timeout').catch(() => {});
  }
}

/** Consecutive transactional migrations share a dry run; a no-transaction one runs alone, between them. */
function batches(pending: readonly MigrationFile[]): MigrationFile[][] {
  const result: MigrationFile[][] = [];
  for (const migration of pending) {
    const last = result.at(-1);
    if (migration.header.transactional && last?.[0]?.header.transactional) last.push(migration);
    else result.push([migration]);
  }
  return result;
}

export interface UpResult {
  /** Names applied by this call, in order; empty when another runner (or an earlier run) did the work. */
  readonly applied: string[];
  /** With `plan`: what would have been applied. */
  readonly planned?: string[];
}

/** Applies every pending migration in name order, each in its own transaction, under the advisory lock. */
export async function migrateUp(
  url: string,
  dir: string = defaultMigrationsDir,
  options: RunOptions = {},
): Promise<UpResult> {
  const logger = options.logger ?? silent;
  const timeouts = resolveTimeouts(options);
  return withClient(url, async (client) => {
    await assertOwnerRole(client);
    return withMigrationLock(client, logger, timeouts.lockWaitMs, async () => {
      const { pending } = await readPlan(client, dir);
      if (pending.length === 0) {
        logger.info('database is up to date');
        return { applied: [] };
      }
      if (options.plan) {
        logger.info(formatUpPlan(pending));
        return { applied: [], planned: pending.map((migration) => migration.name) };
      }
      const applied: string[] = [];
      for (const batch of batches(pending)) {
        const transactional = batch[0]!.header.transactional;
        if (transactional)
          await detectConflicts(client, batch, (migration) => timeouts.apply(client, migration, 'local'));
        await ensureLedger(client);
        for (const migration of batch) {
          const started = performance.now();
          await withNotices(client, logger, migration.name, async () => {
            if (transactional) {
              await inTransaction(client, migration, 'up', timeouts, async () => {
                await client.query(migration.up.sql);
                await recordApplied(
                  client,
                  migration.name,
                  migration.checksum,
                  performance.now() - started,
                  migration.checksumText,
                );
              });
            } else {
              await runWithoutTransaction(client, migration, 'up', timeouts);
              await recordApplied(
                client,
                migration.name,
                migration.checksum,
                performance.now() - started,
                migration.checksumText,
              );
            }
          });
          const note = transactional ? '' : ', without a transaction';
          logger.info(`applied ${migration.name} (${Math.round(performance.now() - started)} ms${note})`);
          applied.push(migration.name);
        }
      }
      return { applied };
    });
  });
}

export interface DownOptions extends RunOptions {
  /** Roll back every migration applied after this one (it stays applied); default: the newest only. */
  to?: string;
  /** The names the operator was shown and agreed to; refuse if the plan is different now. */
  expected?: readonly string[];
}

export interface DownResult {
  /** The migrations rolled back, newest first; empty when none was applied. */
  readonly rolledBack: string[];
}

/** Rolls back the newest applied migration (or all after `to`), newest first, each in its own transaction. */
export async function migrateDown(
  url: string,
  dir: string = defaultMigrationsDir,
  options: DownOptions = {},
): Promise<DownResult> {
  const logger = options.logger ?? silent;
  const timeouts = resolveTimeouts(options);
  return withClient(url, async (client) => {
    await assertOwnerRole(client);
    return withMigrationLock(client, logger, timeouts.lockWaitMs, async () => {
      const { rollback } = await readPlan(client, dir, { downTo: options.to ?? null });
      const names = rollback.map((migration) => migration.name);
      if (options.expected && names.join('\n') !== options.expected.join('\n')) {
        throw new MigrationError(
          `refusing to roll back: the plan changed since it was shown (now: ${names.join(', ') || 'nothing'}); run down again`,
        );
      }
      if (rollback.length === 0) {
        logger.info('no applied migration to roll back');
        return { rolledBack: [] };
      }
      if (options.plan) return { rolledBack: [] };
      const rolledBack: string[] = [];
      for (const migration of rollback) {
        await withNotices(client, logger, migration.name, async () => {
          if (migration.header.transactional) {
            await inTransaction(client, migration, 'down', timeouts, async () => {
              await client.query(migration.down.sql);
              await removeApplied(client, migration.name);
            });
          } else {
            await runWithoutTransaction(client, migration, 'down', timeouts);
            await removeApplied(client, migration.name);
          }
        });
        logger.info(`rolled back ${migration.name}`);
        rolledBack.push(migration.name);
      }
      return { rolledBack };
    });
  });
}
