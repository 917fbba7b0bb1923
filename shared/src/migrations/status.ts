import { withQueryable, type Queryable } from './connection.ts';
import { defaultMigrationsDir, readMigrations, type MigrationFile } from './files.ts';
import { readLedger, type LedgerRow } from './ledger.ts';

/** The names of the public contract (`enum MigrationState`). */
export type MigrationState = 'APPLIED' | 'PENDING' | 'APPLIED_BUT_MISSING' | 'APPLIED_BUT_CHANGED';

export interface MigrationEntry {
  readonly name: string;
  readonly state: MigrationState;
  readonly appliedAt: Date | null;
  /** False for a `-- migrate: no-transaction` file: it runs alone, outside the dry run. Null without a file. */
  readonly transactional: boolean | null;
}

export interface MigrationStatus {
  readonly upToDate: boolean;
  readonly migrations: readonly MigrationEntry[];
  /** PostgreSQL's `server_version`, e.g. "16.4". */
  readonly serverVersion: string;
}

/** Joins files and ledger by name, in name order. Pure, so every state is unit-testable. */
export function compareMigrations(
  files: readonly (Pick<MigrationFile, 'name' | 'checksum'> &
    Partial<Pick<MigrationFile, 'rawChecksum' | 'header'>>)[],
  ledger: readonly Pick<LedgerRow, 'name' | 'checksum' | 'appliedAt'>[],
): MigrationEntry[] {
  const fileByName = new Map(files.map((file) => [file.name, file]));
  const rowByName = new Map(ledger.map((row) => [row.name, row]));
  const names = [...new Set([...fileByName.keys(), ...rowByName.keys()])].sort();
  return names.map((name) => {
    const file = fileByName.get(name);
    const row = rowByName.get(name);
    const transactional = file ? (file.header?.transactional ?? true) : null;
    if (!row) return { name, state: 'PENDING', appliedAt: null, transactional };
    const appliedAt = row.appliedAt;
    if (!file) return { name, state: 'APPLIED_BUT_MISSING', appliedAt, transactional };
    // Ledgers written before checksums were normalised hold the sha256 of the raw bytes.
    const same = row.checksum === file.checksum || row.checksum === file.rawChecksum;
    return { name, state: same ? 'APPLIED' : 'APPLIED_BUT_CHANGED', appliedAt, transactional };
  });
}

/**
 * Pending migrations that sort before the newest applied one: applying them now would
 * run them in a different order on this database than on a fresh one.
 */
export function outOfOrderPending(entries: readonly MigrationEntry[]): string[] {
  const applied = entries.filter((entry) => entry.state !== 'PENDING').map((entry) => entry.name);
  const newestApplied = applied.at(-1);
  if (newestApplied === undefined) return [];
  return entries
    .filter((entry) => entry.state === 'PENDING' && entry.name < newestApplied)
    .map((e) => e.name);
}

async function serverVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ server_version: string }>('show server_version');
  return rows[0]?.server_version ?? 'unknown';
}

/**
 * Status of every migration known to the files or the database. Takes a connection (the
 * ops subgraph passes its own) or a URL; `dir` defaults to the repository's migrations/.
 */
export async function migrationStatus(
  target: Queryable | string,
  dir: string = defaultMigrationsDir,
): Promise<MigrationStatus> {
  const files = await readMigrations(dir, { check: false });
  return withQueryable(target, async (db) => {
    const migrations = compareMigrations(files, await readLedger(db));
    return {
      upToDate: migrations.every((entry) => entry.state === 'APPLIED'),
      migrations,
      serverVersion: await serverVersion(db),
    };
  });
}

/**
 * Everything that makes `migrate -- status` fail, so CI and deploy scripts can gate on it:
 * stricter than readiness (schemaProblem), an applied migration without a file counts.
 */
export function statusProblems(status: MigrationStatus): string[] {
  const named = (state: MigrationState) =>
    status.migrations.filter((entry) => entry.state === state).map((entry) => entry.name);
  return [
    ...named('PENDING').map((name) => `${name} is pending`),
    ...named('APPLIED_BUT_MISSING').map((name) => `${name} is applied but its file is missing`),
    ...named('APPLIED_BUT_CHANGED').map((name) => `${name} is applied but its file has changed`),
    ...outOfOrderPending(status.migrations).map(
      (name) => `${name} is pending but sorts before an applied migration (out of order)`,
    ),
  ];
}

/**
 * Why a service should not serve on this database, or null when it may. Pending and
 * changed migrations block; an applied migration without a file does not: during a
 * rolling deploy the database is legitimately one release ahead of older instances.
 */
export function schemaProblem(status: MigrationStatus): string | null {
  const named = (state: MigrationState) =>
    status.migrations.filter((entry) => entry.state === state).map((entry) => entry.name);
  const problems = [
    ...named('PENDING').map((name) => `pending migration ${name}`),
    ...named('APPLIED_BUT_CHANGED').map((name) => `applied migration ${name} was changed since`),
  ];
  return problems.length === 0 ? null : `database schema is not current: ${problems.join('; ')}`;
}

export class SchemaNotCurrentError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SchemaNotCurrentError';
  }
}

/** For readiness checks: resolves when the schema is current, throws SchemaNotCurrentError with the reason otherwise. */
export async function assertSchemaCurrent(
  target: Queryable | string,
  dir: string = defaultMigrationsDir,
): Promise<void> {
  const reason = schemaProblem(await migrationStatus(target, dir));
  if (reason !== null) throw new SchemaNotCurrentError(reason);
}
