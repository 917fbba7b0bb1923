import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { MigrationError } from './errors.ts';
import type { MigrationLogger } from './logger.ts';

/**
 * One fixed key for every runner of this schema. Session-level, held on the same
 * connection that applies the migrations, so it is released if the runner dies.
 */
export const ADVISORY_LOCK_KEY = '7163402718465028';

const POLL_MS = 200;

/** Who holds the lock, for the message: pid, application and since when. */
async function lockHolder(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{
    pid: number;
    application_name: string | null;
    backend_start: Date | null;
  }>(
    `select a.pid, a.application_name, a.backend_start
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted
        -- pg_locks lists the whole cluster's locks: the runner of another database holds a
        -- lock with the same key that is not ours to name.
        and l.database = (select oid from pg_database where datname = current_database())
        and ((l.classid::bigint << 32) | l.objid::bigint) = ${ADVISORY_LOCK_KEY}::bigint
      limit 1`,
  );
  const holder = rows[0];
  if (!holder) return 'its holder is not visible to this role';
  // Another role's session shows its pid only, unless this role may read all statistics.
  const details = [
    holder.application_name ? `application "${holder.application_name}"` : null,
    holder.backend_start ? `connected since ${holder.backend_start.toISOString()}` : null,
  ].filter(Boolean);
  return `held by backend pid ${holder.pid}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

/**
 * Runs `fn` holding the migration lock. Waits for another runner at most `waitMs`,
 * polling rather than blocking, so that giving up never leaves a queued lock request.
 */
export async function withMigrationLock<T>(
  client: pg.Client,
  logger: MigrationLogger,
  waitMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const tryLock = async () =>
    (await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) as locked`))
      .rows[0]?.locked === true;
  if (!(await tryLock())) {
    logger.info(
      `another migration runner holds the lock; waiting for it to finish (at most ${waitMs / 1000} s)`,
    );
    const deadline = Date.now() + waitMs;
    let locked = false;
    while (!locked && Date.now() < deadline) {
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      locked = await tryLock();
    }
    if (!locked) {
      throw new MigrationError(
        `gave up after ${waitMs / 1000} s waiting for another migration runner: advisory lock ` +
          `${ADVISORY_LOCK_KEY} is ${await lockHolder(client)}; nothing was changed ` +
          '(MIGRATE_LOCK_WAIT_SECONDS sets how long to wait)',
      );
    }
  }
  try {
    return await fn();
  } finally {
    // Best effort: if the connection broke, the session (and with it the lock) is gone
    // already, and the original error is the one worth reporting.
    await client.query(`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`).catch(() => {});
  }
}
