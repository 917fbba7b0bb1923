import { describe, expect, it } from '@jest/globals';
import {
  MigrationFileError,
  migrateUp,
  migrationStatus,
  MigrationFailedError,
} from '@docuvault/shared/migrations/index';
import { ledgerNames, migration, query, runCli, tableNames, scratchMigrations } from './helpers.ts';

const FIRST = '2026-06-01T00-00-00-create-notes.sql';
const SECOND = '2026-06-01T00-00-01-create-labels.sql';
const THIRD = '2026-06-01T00-00-02-index-notes.sql';

const setup = scratchMigrations();

describe('a statement that would escape the migration transaction', () => {
  it.each([
    ['END', 'end;'],
    ['ABORT', 'abort;'],
    ['COMMIT AND CHAIN', 'commit and chain;'],
    ['ROLLBACK', 'rollback;'],
    ['a savepoint release', 'savepoint s;\nrelease savepoint s;'],
    ['PREPARE TRANSACTION', "prepare transaction 'x';"],
    ['VACUUM', 'vacuum notes;'],
    ['CREATE INDEX CONCURRENTLY', 'create index concurrently notes_id_index on notes (id);'],
    ['CREATE DATABASE', 'create database other;'],
    ['SET ROLE', 'set role postgres;'],
  ])('%s is refused by name and line before anything runs', async (_case, statement) => {
    const { db, temp } = await setup('escape', {
      [FIRST]: migration('create table notes (id int);'),
      [SECOND]: migration(`create table labels (id int);\n${statement}\ncreate table later (id int);`),
    });
    const attempt = migrateUp(db.ownerUrl, temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(MigrationFileError);
    await expect(attempt).rejects.toThrow(new RegExp(`^${SECOND}: up section, line 5: .* is refused`));
    expect(await tableNames(db.ownerUrl)).toEqual([]);
    expect(await ledgerNames(db.ownerUrl)).toBeNull();
  });

  it('END in a file can no longer turn the dry run into a commit behind a conflict', async () => {
    // Before: the dry run ran "create table notes; end;" (committing notes for real), then
    // hit the conflict in SECOND and "rolled back": notes stayed, unrecorded.
    const { db, temp } = await setup('escape_dry_run', {
      [FIRST]: migration('create table notes (id int);\nend;'),
      [SECOND]: migration('create table labels (id int);'),
    });
    await query(db.ownerUrl, 'create table labels (id int)');
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toThrow(`${FIRST}: up section, line 5: "end"`);
    expect(await tableNames(db.ownerUrl)).toEqual(['labels']);
  });

  it('a PL/pgSQL block with BEGIN/END, and COMMIT inside a string, are fine', async () => {
    const { db, temp } = await setup('escape_plpgsql', {
      [FIRST]: migration(
        "create table notes (body text);\ninsert into notes values ('commit; end;');\n" +
          'do $$\nbegin\n  perform 1;\nend;\n$$;',
      ),
    });
    expect(await migrateUp(db.ownerUrl, temp.dir)).toEqual({ applied: [FIRST] });
  });
});

describe('a "-- migrate: no-transaction" migration', () => {
  const noTransaction = (up: string) =>
    `-- builds an index without blocking writes\n-- migrate: no-transaction\n\n-- migrate:up\n${up}\n\n-- migrate:down\ndrop index concurrently if exists notes_id_index;\n`;

  it('runs alone, statement by statement, between transactional ones, and status says so', async () => {
    const { db, temp } = await setup('no_transaction', {
      [FIRST]: migration('create table notes (id int);'),
      [SECOND]: noTransaction('create index concurrently notes_id_index on notes (id);'),
      [THIRD]: migration('create table labels (id int);'),
    });
    const result = await runCli(['up', '--dir', temp.dir], db.ownerUrl);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`applied ${SECOND} \\(\\d+ ms, without a transaction\\)`));
    expect(await ledgerNames(db.ownerUrl)).toEqual([FIRST, SECOND, THIRD]);
    const [index] = await query<{ valid: boolean }>(
      db.ownerUrl,
      "select indisvalid as valid from pg_index where indexrelid = 'notes_id_index'::regclass",
    );
    expect(index?.valid).toBe(true);
    const status = await migrationStatus(db.ownerUrl, temp.dir);
    expect(status.migrations.map((m) => m.transactional)).toEqual([true, false, true]);
    const text = await runCli(['status', '--dir', temp.dir], db.ownerUrl);
    expect(text.stdout).toMatch(new RegExp(`${SECOND}\\s+applied\\s+\\S+\\s+no transaction`));
  });

  it('still refuses transaction control, and reports what stayed when it fails midway', async () => {
    const refused = await setup('no_transaction_commit', {
      [FIRST]: noTransaction('create table notes (id int);\ncommit;'),
    });
    await expect(migrateUp(refused.db.ownerUrl, refused.temp.dir)).rejects.toThrow('"commit" is refused');

    const { db, temp } = await setup('no_transaction_fails', {
      [FIRST]: noTransaction('create table notes (id int);\nselect 1 / 0;'),
    });
    const attempt = migrateUp(db.ownerUrl, temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(MigrationFailedError);
    await expect(attempt).rejects.toThrow(
      /at line 6: division by zero .*1 of its 2 statements had run and were NOT undone; it is not recorded/,
    );
    expect(await tableNames(db.ownerUrl)).toEqual(['notes', 'schema_migrations']);
    expect(await ledgerNames(db.ownerUrl)).toEqual([]);
  });

  it('refuses an unknown header directive instead of ignoring it', async () => {
    const { db, temp } = await setup('no_transaction_typo', {
      [FIRST]: `-- migrate: no-transactions\n-- migrate:up\nselect 1;\n-- migrate:down\n`,
    });
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toThrow(
      `${FIRST}: unknown header directive "-- migrate: no-transactions"`,
    );
  });
});
