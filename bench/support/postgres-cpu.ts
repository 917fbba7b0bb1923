import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { cpuSecondsOf } from './proc-stats.ts';

// CPU time that a PostgreSQL server on this machine spends on one database: the backends
// connected to it (one per pooled connection of the services under test), read from /proc,
// so only for a server running here, as the bench's services do (./services.ts). Other
// databases' work on the same server (a seed running meanwhile) is not counted, nor are the
// server's own processes (checkpointer, autovacuum). A backend that exits in between loses
// its time: the services' pools keep theirs open.

/** Whether `pid` is a PostgreSQL process on this machine (a server elsewhere has its own pids). */
function isLocalPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres');
  } catch {
    return false;
  }
}

/**
 * CPU seconds used so far by each backend connected to `pool`'s database, by pid; undefined
 * when the server does not run on this machine.
 */
export async function databaseCpu(pool: pg.Pool): Promise<Map<number, number> | undefined> {
  const { rows } = await pool.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database()',
  );
  const local = rows.filter(({ pid }) => isLocalPostgres(pid));
  if (local.length === 0) return undefined;
  const usage = new Map<number, number>();
  for (const { pid } of local) {
    try {
      usage.set(pid, cpuSecondsOf(pid));
    } catch {
      // exited since
    }
  }
  return usage;
}

/** CPU seconds used between two readings (a backend started between them counts whole). */
export const cpuBetween = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);
