import type pg from 'pg';
import type { MigrationSection } from './files.ts';

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

/** A pending migration would create an object that already exists; nothing was run. */
export class MigrationConflictError extends MigrationError {
  readonly migration: string;
  readonly object: string;
  readonly databaseError: pg.DatabaseError;
  constructor(migration: string, object: string, databaseError: pg.DatabaseError) {
    super(
      `refusing to migrate: ${migration} would create ${object}, which already exists ` +
        `(${databaseError.message}, SQLSTATE ${databaseError.code}); nothing was applied`,
    );
    this.name = 'MigrationConflictError';
    this.migration = migration;
    this.object = object;
    this.databaseError = databaseError;
  }
}

/** A migration failed while running; its transaction was rolled back, earlier ones stay applied. */
export class MigrationFailedError extends MigrationError {
  readonly migration: string;
  readonly databaseError: pg.DatabaseError;
  constructor(
    migration: string,
    direction: 'up' | 'down',
    section: MigrationSection,
    databaseError: pg.DatabaseError,
  ) {
    const line = lineOf(section, databaseError.position);
    const details = [databaseError.detail, databaseError.hint].filter(Boolean).join('; ');
    super(
      `migration ${migration} (${direction}) failed${line ? ` at line ${line}` : ''}: ` +
        `${databaseError.message} (SQLSTATE ${databaseError.code})${details ? ` — ${details}` : ''}; ` +
        'its changes were rolled back',
    );
    this.name = 'MigrationFailedError';
    this.migration = migration;
    this.databaseError = databaseError;
  }
}

/** PostgreSQL reports a 1-based character offset into the query; turn it into a file line. */
function lineOf(section: MigrationSection, position: string | undefined): number | undefined {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  const before = section.sql.slice(0, offset - 1);
  return section.firstLine + (before.match(/\n/g)?.length ?? 0);
}
