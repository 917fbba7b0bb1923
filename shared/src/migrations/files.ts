import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The repository's migrations/ folder (shared/src/migrations → ../../../migrations). */
export const defaultMigrationsDir = path.resolve(import.meta.dirname, '../../../migrations');

/** `2026-11-23T10-00-00-create-schema.sql`: sortable timestamp, then a verb-noun slug. */
export const MIGRATION_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)+\.sql$/;

const UP_MARKER = '-- migrate:up';
const DOWN_MARKER = '-- migrate:down';

export interface MigrationSection {
  readonly sql: string;
  /** Only comments or nothing: there is nothing to run. */
  readonly empty: boolean;
  /** 1-based line in the file where the section's SQL starts, to locate database errors. */
  readonly firstLine: number;
}

export interface MigrationFile {
  readonly name: string;
  /** sha256 (hex) of the file's bytes, exactly as read: any edit, even whitespace, is drift. */
  readonly checksum: string;
  readonly up: MigrationSection;
  readonly down: MigrationSection;
}

export class MigrationFileError extends Error {
  readonly migration: string;
  constructor(migration: string, problem: string) {
    super(`${migration}: ${problem}`);
    this.name = 'MigrationFileError';
    this.migration = migration;
  }
}

export function checksumOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isCommentOrBlank(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('--');
}

/**
 * The runner owns the transaction of each migration (and rolls back a whole dry run);
 * a COMMIT inside a file would make both lie.
 */
const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|rollback)(\s+(work|transaction))?\s*;/im;

/**
 * Splits a file into its up and down sections. Anything before `-- migrate:up` must be
 * comments: SQL there would silently never run.
 */
export function parseMigration(name: string, text: string): { up: MigrationSection; down: MigrationSection } {
  const lines = text.split(/\r?\n/);
  const markerLines = (marker: string) =>
    lines.flatMap((line, index) => (line.trim().toLowerCase() === marker ? [index] : []));
  const ups = markerLines(UP_MARKER);
  const downs = markerLines(DOWN_MARKER);
  if (ups.length !== 1) throw new MigrationFileError(name, `needs exactly one "${UP_MARKER}" line`);
  if (downs.length !== 1) throw new MigrationFileError(name, `needs exactly one "${DOWN_MARKER}" line`);
  const upAt = ups[0]!;
  const downAt = downs[0]!;
  if (downAt < upAt) throw new MigrationFileError(name, `"${DOWN_MARKER}" must come after "${UP_MARKER}"`);
  if (!lines.slice(0, upAt).every(isCommentOrBlank)) {
    throw new MigrationFileError(name, `only comments may precede "${UP_MARKER}"`);
  }
  const section = (from: number, to: number): MigrationSection => ({
    sql: lines.slice(from, to).join('\n').trim(),
    empty: lines.slice(from, to).every(isCommentOrBlank),
    firstLine:
      from +
      1 +
      Math.max(
        0,
        lines.slice(from, to).findIndex((line) => line.trim() !== ''),
      ),
  });
  const up = section(upAt + 1, downAt);
  const down = section(downAt + 1, lines.length);
  if (up.empty) throw new MigrationFileError(name, `the "${UP_MARKER}" section is empty`);
  if (TRANSACTION_CONTROL.test(up.sql) || TRANSACTION_CONTROL.test(down.sql)) {
    throw new MigrationFileError(
      name,
      'must not contain BEGIN/COMMIT/ROLLBACK: each migration runs in its own transaction',
    );
  }
  return { up, down };
}

/**
 * Every `*.sql` file directly in `dir`, in name (= time) order. Other files (README.md)
 * and sub-folders (bootstrap/) are not migrations. A `.sql` file with a bad name is an
 * error rather than skipped, so a typo cannot quietly drop a migration.
 */
export async function readMigrations(dir: string = defaultMigrationsDir): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sql'))
    .map((entry) => entry.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!MIGRATION_NAME.test(name)) {
      throw new MigrationFileError(name, 'name must look like YYYY-MM-DDTHH-MM-SS-verb-noun.sql');
    }
    const bytes = await readFile(path.join(dir, name));
    files.push({ name, checksum: checksumOf(bytes), ...parseMigration(name, bytes.toString('utf8')) });
  }
  return files;
}
