import type pg from 'pg';
/** Where a database error's position points into: SQL text and the file line it starts on. */
export interface SqlLocation {
  readonly sql: string;
  readonly firstLine: number;
}

/** Base of every refusal or failure of `up`/`down`; `message` is what the CLI prints. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** The database and the files disagree about what was applied; nothing was run. */
export class MigrationDriftError extends MigrationError {
  readonly missing: readonly string[];
  readonly changed: readonly string[];
  readonly outOfOrder: readonly string[];
  constructor(drift: { missing: string[]; changed: string[]; outOfOrder: string[] }) {
    const parts = [
      ...drift.missing.map((name) => `${name} is applied but its file is missing`),
      ...drift.changed.map((name) => `${name} is applied but its file has changed (checksum differs)`),
      ...drift.outOfOrder.map((name) => `${name} is pending but sorts before an applied migration`),
    ];
    super(`refusing to migrate, see migrations/README.md: ${parts.join('; ')}`);
    this.name = 'MigrationDriftError';
    this.missing = drift.missing;
    this.changed = drift.changed;
    this.outOfOrder = drift.outOfOrder;
  }
}

/**
 * Where an object a pending migration creates already comes from: the database (made by
 * hand, or restored beside the ledger), an earlier pending migration, or the same file.
 */
export type ConflictSource = 'database' | 'earlier-pending' | 'same-file';

/** A pending migration would create an object that already exists; nothing was run. */
export class MigrationConflictError extends MigrationError {
  readonly migration: string;
  readonly object: string;
  readonly source: ConflictSource;
  readonly databaseError: pg.DatabaseError | null;
  constructor(
    migration: string,
    object: string,
    source: ConflictSource,
    databaseError: pg.DatabaseError | null,
    line?: number,
  ) {
    const why = databaseError ? ` (${databaseError.message}, SQLSTATE ${databaseError.code})` : '';
    const at = line ? ` at line ${line}` : '';
    super(
      source === 'same-file'
        ? `refusing to migrate: ${migration} creates ${object} twice (the second time${at}); ` +
            `this is a fault of that file, not of the database${why}; nothing was applied`
        : source === 'earlier-pending'
          ? `refusing to migrate: ${migration} would create ${object}${at}, which an earlier pending ` +
            `migration already creates${why}; nothing was applied`
          : `refusing to migrate: ${migration} would create ${object}, which already exists in the database${why}; nothing was applied`,
    );
    this.name = 'MigrationConflictError';
    this.migration = migration;
    this.object = object;
    this.source = source;
    this.databaseError = databaseError;
  }
}

/** What to do about errors that mean "gave up rather than wait or run on". */
const HINTS: Record<string, string> = {
  '55P03':
    'it gave up waiting for a lock another session holds (lock_timeout), so runtime queries were not stalled behind it; ' +
    'run it again when that session is done, or give the file a "-- migrate: lock-timeout <duration>" header',
  '57014':
    'a statement ran longer than statement_timeout; give the file a "-- migrate: statement-timeout <duration>" header if that is expected',
};

/** A migration failed while running; its transaction was rolled back, earlier ones stay applied. */
export class MigrationFailedError extends MigrationError {
  readonly migration: string;
  readonly databaseError: pg.DatabaseError;
  constructor(
    migration: string,
    direction: 'up' | 'down',
    section: SqlLocation,
    databaseError: pg.DatabaseError,
    /** For a no-transaction migration: how many of its statements had run (and stay). */
    statementsDone?: { done: number; of: number },
  ) {
    const line = lineOf(section, databaseError.position) ?? (statementsDone ? section.firstLine : undefined);
    const hint = databaseError.code ? HINTS[databaseError.code] : undefined;
    const details = [databaseError.detail, databaseError.hint, hint].filter(Boolean).join('; ');
    const aftermath = statementsDone
      ? `it runs without a transaction: ${statementsDone.done} of its ${statementsDone.of} statements ` +
        'had run and were NOT undone; it is not recorded as applied. Make it safe to run again ' +
        '(IF NOT EXISTS), then run up again'
      : 'its changes were rolled back';
    super(
      `migration ${migration} (${direction}) failed${line ? ` at line ${line}` : ''}: ` +
        `${databaseError.message} (SQLSTATE ${databaseError.code})${details ? ` — ${details}` : ''}; ` +
        aftermath,
    );
    this.name = 'MigrationFailedError';
    this.migration = migration;
    this.databaseError = databaseError;
  }
}

/** PostgreSQL reports a 1-based character offset into the query; turn it into a file line. */
function lineOf(section: SqlLocation, position: string | undefined): number | undefined {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  const before = section.sql.slice(0, offset - 1);
  return section.firstLine + (before.match(/\n/g)?.length ?? 0);
}
