import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { defaultMigrationsDir, readMigrations } from '../migrations/files.ts';
import { LEDGER_TABLE } from '../migrations/ledger.ts';
import { compareMigrations, type MigrationStatus } from '../migrations/status.ts';
import { db } from './kysely.ts';

// Migration status as services read it (ops's migrationStatus, the schema readiness
// check): through the service's ORM pool and its timeouts, with the runner's own
// comparison (compareMigrations), never a copy of its logic. The ledger belongs to the
// runner (shared/src/migrations/), not to the entities: it is read with Kysely's sql tag,
// typed here by the columns every ledger version has.

interface LedgerEntry {
  name: string;
  checksum: string;
  /** timestamptz as the pool returns it: text. */
  applied_at: string;
}

async function readLedgerEntries(em: EntityManager): Promise<LedgerEntry[]> {
  const kysely = db(em);
  const { rows: found } = await sql<{ exists: boolean }>`
    select to_regclass(${`public.${LEDGER_TABLE}`}) is not null as exists`.execute(kysely);
  // No ledger yet: nothing is applied (a fresh database, or one the runner never saw).
  if (found[0]?.exists !== true) return [];
  const { rows } = await sql<LedgerEntry>`
    select name, checksum, applied_at from ${sql.table(LEDGER_TABLE)} order by name`.execute(kysely);
  return rows;
}

/** Status of every migration known to the files in `dir` or to the database's ledger. */
export async function readMigrationStatus(
  em: EntityManager,
  dir: string = defaultMigrationsDir,
): Promise<MigrationStatus> {
  const files = await readMigrations(dir, { check: false });
  const ledger = await readLedgerEntries(em);
  const migrations = compareMigrations(
    files,
    ledger.map((row) => ({ name: row.name, checksum: row.checksum, appliedAt: new Date(row.applied_at) })),
  );
  const { rows } = await sql<{ server_version: string }>`show server_version`.execute(db(em));
  return {
    upToDate: migrations.every((entry) => entry.state === 'APPLIED'),
    migrations,
    serverVersion: rows[0]?.server_version ?? 'unknown',
  };
}
