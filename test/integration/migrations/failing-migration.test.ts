import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MigrationFailedError, migrateUp, migrationStatus } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import {
  ledgerNames,
  migration,
  runCli,
  tableNames,
  tempMigrations,
  type TempMigrations,
} from './helpers.ts';

const OK1 = '2026-02-01T00-00-00-create-first.sql';
const OK2 = '2026-02-01T00-00-01-create-second.sql';
const BAD = '2026-02-01T00-00-02-create-broken.sql';
const LATER = '2026-02-01T00-00-03-create-later.sql';

describe('a migration that fails midway', () => {
  let temp: TempMigrations;
  const databases: TestDatabase[] = [];
  const database = async (label: string) => {
    const db = await createTestDatabase(label);
    databases.push(db);
    return db;
  };
  beforeAll(async () => {
    temp = await tempMigrations({
      [OK1]: migration('create table first (id int);', 'drop table first;'),
      [OK2]: migration('create table second (id int);', 'drop table second;'),
      // Creates a table, then fails on the third line of its up section.
      [BAD]: migration('create table broken (id int);\ninsert into broken values (1);\nselect 1 / 0;'),
      [LATER]: migration('create table later (id int);'),
    });
  });
  afterAll(async () => {
    await temp?.cleanup();
    for (const db of databases) await db.drop();
  });

  it('is rolled back entirely, earlier ones stay applied, and the error names it', async () => {
    const db = await database('failing');
    const attempt = migrateUp(db.ownerUrl, temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(MigrationFailedError);
    await expect(attempt).rejects.toMatchObject({
      migration: BAD,
      databaseError: expect.objectContaining({ code: '22012' }),
      message: expect.stringContaining(`migration ${BAD} (up) failed: division by zero (SQLSTATE 22012)`),
    });
    expect(await tableNames(db.ownerUrl)).toEqual(['first', 'schema_migrations', 'second']);
    expect(await ledgerNames(db.ownerUrl)).toEqual([OK1, OK2]);
    const states = (await migrationStatus(db.ownerUrl, temp.dir)).migrations.map((m) => m.state);
    expect(states).toEqual(['APPLIED', 'APPLIED', 'PENDING', 'PENDING']);
  });

  it('points at the line of a syntax error in the file', async () => {
    const db = await database('failing_syntax');
    const typo = await tempMigrations({
      [OK1]: migration('create table first (id int);\n\ncreate tabel oops (id int);'),
    });
    try {
      await expect(migrateUp(db.ownerUrl, typo.dir)).rejects.toThrow(
        `migration ${OK1} (up) failed at line 6: syntax error at or near "tabel" (SQLSTATE 42601)`,
      );
      expect(await ledgerNames(db.ownerUrl)).toEqual([]);
      expect(await tableNames(db.ownerUrl)).toEqual(['schema_migrations']);
    } finally {
      await typo.cleanup();
    }
  });

  it('makes the CLI exit non-zero, printing the migration and the database error', async () => {
    const db = await database('failing_cli');
    const result = await runCli(['up', '--dir', temp.dir], db.ownerUrl);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`applied ${OK2}`);
    expect(result.stderr).toContain(BAD);
    expect(result.stderr).toContain('division by zero');
    expect(await ledgerNames(db.ownerUrl)).toEqual([OK1, OK2]);
  });
});
