import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrateDown, migrateUp, migrationStatus, readMigrations } from '@docuvault/shared/migrations/index';
import { createTestDatabase, migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import {
  ledgerNames,
  migration,
  runCli,
  tableNames,
  tempMigrations,
  type TempMigrations,
} from './helpers.ts';

const ONE = '2026-05-01T00-00-00-create-one.sql';
const TWO = '2026-05-01T00-00-01-create-two.sql';

describe('down', () => {
  const databases: TestDatabase[] = [];
  let temp: TempMigrations;
  beforeAll(async () => {
    temp = await tempMigrations({
      [ONE]: migration('create table one (id int);', 'drop table one;'),
      [TWO]: migration('create table two (id int);', 'drop table two;'),
    });
  });
  afterAll(async () => {
    await temp?.cleanup();
    for (const db of databases) await db.drop();
  });

  it('rolls back the last applied migration only', async () => {
    const db = await createTestDatabase('down');
    databases.push(db);
    await migrateUp(db.ownerUrl, temp.dir);
    expect(await migrateDown(db.ownerUrl, temp.dir)).toEqual({ rolledBack: [TWO] });
    expect(await tableNames(db.ownerUrl)).toEqual(['one', 'schema_migrations']);
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
    const states = (await migrationStatus(db.ownerUrl, temp.dir)).migrations.map((entry) => entry.state);
    expect(states).toEqual(['APPLIED', 'PENDING']);
  });

  it('via the CLI, one step at a time, until nothing is left', async () => {
    const db = await createTestDatabase('down_cli');
    databases.push(db);
    await migrateUp(db.ownerUrl, temp.dir);
    expect(await runCli(['down', '--yes', '--dir', temp.dir], db.ownerUrl)).toMatchObject({ code: 0 });
    expect(await runCli(['down', '--yes', '--dir', temp.dir], db.ownerUrl)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`drop table one;\n(.|\n)*rolled back ${ONE}\n$`)),
    });
    expect(await runCli(['down', '--yes', '--dir', temp.dir], db.ownerUrl)).toMatchObject({
      code: 0,
      stdout: 'no applied migration to roll back\n',
    });
    expect(await tableNames(db.ownerUrl)).toEqual(['schema_migrations']);
  });

  it('undoes the real initial migration completely, and up applies it again', async () => {
    const db = await migratedTestDatabase('down_real');
    databases.push(db);
    const files = await readMigrations();
    for (const _ of files) await migrateDown(db.ownerUrl);
    expect(await tableNames(db.ownerUrl)).toEqual(['schema_migrations']);
    expect(await migrateUp(db.ownerUrl)).toEqual({ applied: files.map((file) => file.name) });
  });

  it('refuses a migration whose down section is empty', async () => {
    const db = await createTestDatabase('down_empty');
    databases.push(db);
    const oneWay = await tempMigrations({
      [ONE]: migration('create table one (id int);', '-- irreversible'),
    });
    try {
      await migrateUp(db.ownerUrl, oneWay.dir);
      await expect(migrateDown(db.ownerUrl, oneWay.dir)).rejects.toThrow(
        `${ONE} has an empty "-- migrate:down" section`,
      );
      expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
    } finally {
      await oneWay.cleanup();
    }
  });
});
