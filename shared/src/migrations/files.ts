import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHeader, type MigrationHeader } from './header.ts';
import {
  analyse,
  loadParser,
  forbiddenReason,
  nonTransactionalReason,
  type Analysis,
  type Statement,
} from './statements.ts';

/** The repository's migrations/ folder (shared/src/migrations → ../../../migrations). */
export const defaultMigrationsDir = path.resolve(import.meta.dirname, '../../../migrations');

/** `2026-11-23T10-00-00-create-schema.sql`: sortable timestamp, then a verb-noun slug. */
export const MIGRATION_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)+\.sql$/;

/**
 * A file that was probably meant as a migration but is not named like one: any `.sql`
 * file, or a name starting with a date. These are refused by name (never skipped), so a
 * typo cannot quietly drop a migration; anything else (README.md, bootstrap/) is not ours.
 */
const LOOKS_LIKE_A_MIGRATION = /(\.sql$)|(^\d{4}-?\d{2}-?\d{2})/i;

export const UP_MARKER = '-- migrate:up';
export const DOWN_MARKER = '-- migrate:down';

export interface MigrationSection {
  readonly sql: string;
  /** Only comments or nothing: there is nothing to run. */
  readonly empty: boolean;
  /** 1-based line in the file where the section's SQL starts, to locate database errors. */
  readonly firstLine: number;
  /** The section's statements, or the syntax error that makes PostgreSQL reject it whole. */
  readonly analysis: Analysis;
}

export interface MigrationFile {
  readonly name: string;
  /**
   * sha256 (hex) of the text with line endings made LF and trailing whitespace removed
   * from every line (see checksumText): a CRLF checkout is not a change, a comment edit is.
   */
  readonly checksum: string;
  /** sha256 of the raw bytes, as recorded by runners before checksums were normalised. */
  readonly rawChecksum: string;
  /** What the checksum covers, to show an operator what changed (`repair`). */
  readonly checksumText: string;
  readonly header: MigrationHeader;
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

export function checksumOf(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The text a checksum covers: LF line endings, no trailing whitespace on any line, no
 * blank lines at the end, one final newline. A file already in that shape (as the
 * formatter leaves them) is byte-identical to it, so its checksum is unchanged.
 */
export function checksumText(text: string): string {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function isCommentOrBlank(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('--');
}

function refuseEscapingStatements(
  name: string,
  label: string,
  section: MigrationSection,
  transactional: boolean,
) {
  if (!section.analysis.ok) return;
  for (const statement of section.analysis.statements) {
    const reason = forbiddenReason(statement) ?? (transactional ? nonTransactionalReason(statement) : null);
    if (reason === null) continue;
    const line = section.firstLine + statement.line - 1;
    const hint =
      transactional && nonTransactionalReason(statement) && statement.kind !== 'TransactionStmt'
        ? '; if it must run, put it alone in a migration headed "-- migrate: no-transaction"'
        : '';
    throw new MigrationFileError(
      name,
      `${label} section, line ${line}: "${firstLineOf(statement)}" is refused: ${reason}${hint}`,
    );
  }
}

const firstLineOf = (statement: Statement) => statement.sql.split('\n')[0]!.slice(0, 80);

/**
 * Splits a file into its header, up and down sections, and refuses (before anything
 * runs) every statement that would escape the migration's transaction. Anything before
 * `-- migrate:up` must be comments: SQL there would silently never run.
 */
export function parseMigration(
  name: string,
  text: string,
  options: { check?: boolean } = {},
): { header: MigrationHeader; up: MigrationSection; down: MigrationSection } {
  const lines = text.split(/\r\n|\r|\n/);
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
  const header = parseHeader(lines.slice(0, upAt), (problem) => new MigrationFileError(name, problem));
  const section = (from: number, to: number): MigrationSection => {
    const sql = lines.slice(from, to).join('\n').trim();
    let analysis: Analysis | undefined;
    return {
      sql,
      empty: lines.slice(from, to).every(isCommentOrBlank),
      firstLine:
        from +
        1 +
        Math.max(
          0,
          lines.slice(from, to).findIndex((line) => line.trim() !== ''),
        ),
      // Parsed on first use (and once): status reads files without parsing their SQL.
      get analysis() {
        analysis ??= analyse(sql);
        return analysis;
      },
    };
  };
  const up = section(upAt + 1, downAt);
  const down = section(downAt + 1, lines.length);
  if (up.empty) throw new MigrationFileError(name, `the "${UP_MARKER}" section is empty`);
  if (options.check !== false) checkStatements({ name, header, up, down });
  return { header, up, down };
}

/** Refuses what cannot run as the file says it runs; needs the parser loaded (loadParser). */
function checkStatements(file: Pick<MigrationFile, 'name' | 'header' | 'up' | 'down'>): void {
  const { name, header, up, down } = file;
  for (const [label, part] of [
    ['up', up],
    ['down', down],
  ] as const) {
    // Run statement by statement, so it must split; a transactional one is sent whole and
    // PostgreSQL reports a syntax error with its line.
    if (!header.transactional && !part.analysis.ok)
      throw new MigrationFileError(name, `${label} section: ${part.analysis.syntaxError}`);
  }
  refuseEscapingStatements(name, 'up', up, header.transactional);
  refuseEscapingStatements(name, 'down', down, header.transactional);
}

/**
 * Parses the SQL of migrations read without `check` and refuses, before anything runs,
 * every statement that would escape its transaction. Up calls it for the pending ones only,
 * so a database that is up to date never loads the parser.
 */
export async function checkMigrations(files: readonly MigrationFile[]): Promise<void> {
  if (files.length === 0) return;
  await loadParser();
  for (const file of files) checkStatements(file);
}

export interface MigrationDirectory {
  readonly migrations: MigrationFile[];
  /** Files that look like migrations but are not named like one (see LOOKS_LIKE_A_MIGRATION). */
  readonly badlyNamed: string[];
  /** Every other file, except README.md: not ours, listed by `status` so a stray is seen. */
  readonly ignored: string[];
}

/**
 * Every migration directly in `dir`, in name (= time) order, and the names of files that
 * look like migrations without being named like one. Other files (README.md) and
 * sub-folders (bootstrap/) are not migrations.
 */
export async function readMigrationDirectory(
  dir: string = defaultMigrationsDir,
  options: { check?: boolean } = {},
): Promise<MigrationDirectory> {
  // Without `check`, files are split and checksummed only: their SQL is not parsed, so a
  // statement that escapes the transaction is reported by up, not by status.
  if (options.check !== false) await loadParser();
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  const migrations: MigrationFile[] = [];
  const badlyNamed: string[] = [];
  const ignored: string[] = [];
  for (const name of names) {
    if (!MIGRATION_NAME.test(name)) {
      if (LOOKS_LIKE_A_MIGRATION.test(name)) badlyNamed.push(name);
      else if (name !== 'README.md') ignored.push(name);
      continue;
    }
    const bytes = await readFile(path.join(dir, name));
    const text = bytes.toString('utf8');
    const normalised = checksumText(text);
    migrations.push({
      name,
      checksum: checksumOf(normalised),
      rawChecksum: checksumOf(bytes),
      checksumText: normalised,
      ...parseMigration(name, text, options),
    });
  }
  return { migrations, badlyNamed, ignored };
}

/** The migrations of `dir`; refuses a badly named file instead of skipping it. */
export async function readMigrations(
  dir: string = defaultMigrationsDir,
  options: { check?: boolean } = {},
): Promise<MigrationFile[]> {
  const { migrations, badlyNamed } = await readMigrationDirectory(dir, options);
  if (badlyNamed.length > 0) {
    throw new MigrationFileError(
      badlyNamed.join(', '),
      'looks like a migration but is not named YYYY-MM-DDTHH-MM-SS-verb-noun.sql; rename it (or move it out of the folder)',
    );
  }
  return migrations;
}
