import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  MigrationDriftError,
  assertSchemaCurrent,
  migrateDown,
  migrateUp,
  migrationStatus,
} from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import {
  ledgerNames,
  migration,
  runCli,
  tableNames,
  tempMigrations,
  type TempMigrations,
} from './helpers.ts';

const ONE = '2026-04-01T00-00-00-create-one.sql';
const TWO = '2026-04-01T00-00-01-create-two.sql';
const THREE = '2026-04-01T00-00-02-create-three.sql';

let db: TestDatabase;
let temp: TempMigrations;
beforeEach(async () => {
  db = await createTestDatabase('drift');
  temp = await tempMigrations({
    [ONE]: migration('create table one (id int);', 'drop table one;'),
    [TWO]: migration('create table two (id int);', 'drop table two;'),
  });
  await migrateUp(db.ownerUrl, temp.dir);
});
afterEach(async () => {
  await temp.cleanup();
  await db.drop();
});

const states = async () =>
  (await migrationStatus(db.ownerUrl, temp.dir)).migrations.map((entry) => [entry.name, entry.state]);

describe('an applied migration whose file was edited', () => {
  beforeEach(async () => {
    await temp.write(ONE, migration('create table one (id bigint);', 'drop table one;'));
    await temp.write(THREE, migration('create table three (id int);'));
  });

  it('is reported APPLIED_BUT_CHANGED', async () => {
    expect(await states()).toEqual([
      [ONE, 'APPLIED_BUT_CHANGED'],
      [TWO, 'APPLIED'],
      [THREE, 'PENDING'],
    ]);
    await expect(assertSchemaCurrent(db.appUrl, temp.dir)).rejects.toThrow(
      `pending migration ${THREE}; applied migration ${ONE} was changed since`,
    );
  });

  it('makes up and down refuse, naming it, and apply nothing', async () => {
    const attempt = migrateUp(db.ownerUrl, temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(MigrationDriftError);
    await expect(attempt).rejects.toMatchObject({ changed: [ONE], missing: [] });
    await expect(migrateDown(db.ownerUrl, temp.dir)).rejects.toThrow(
      `${ONE} is applied but its file has changed`,
    );
    expect(await tableNames(db.ownerUrl)).toEqual(['one', 'schema_migrations', 'two']);
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE, TWO]);
  });

  it('shows as applied-but-changed in the CLI status table', async () => {
    const result = await runCli(['status', '--dir', temp.dir], db.ownerUrl);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(new RegExp(`${ONE}\\s+applied-but-changed\\s+\\d{4}-\\d\\d-\\d\\dT`));
    expect(result.stdout).toMatch(new RegExp(`${THREE}\\s+pending\\n`));
    expect(result.stdout).toContain('schema NOT up to date');
  });
});

describe('an applied migration whose file was deleted', () => {
  beforeEach(async () => {
    await temp.remove(TWO);
    await temp.write(THREE, migration('create table three (id int);'));
  });

  it('is reported APPLIED_BUT_MISSING and makes up refuse, naming it', async () => {
    expect(await states()).toEqual([
      [ONE, 'APPLIED'],
      [TWO, 'APPLIED_BUT_MISSING'],
      [THREE, 'PENDING'],
    ]);
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toMatchObject({
      missing: [TWO],
      message: expect.stringContaining(`${TWO} is applied but its file is missing`),
    });
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE, TWO]);
    expect(await tableNames(db.ownerUrl)).not.toContain('three');
  });

  it('makes the CLI exit 1 with the reason', async () => {
    const result = await runCli(['up', '--dir', temp.dir], db.ownerUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${TWO} is applied but its file is missing`);
  });
});

describe('a pending migration that sorts before an applied one', () => {
  it('makes up refuse instead of running migrations out of order', async () => {
    const early = '2026-03-31T00-00-00-create-early.sql';
    await temp.write(early, migration('create table early (id int);'));
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toMatchObject({ outOfOrder: [early] });
    expect(await tableNames(db.ownerUrl)).not.toContain('early');
  });
});
