import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MigrationConflictError, migrateUp, readMigrations } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ledgerNames, migration, query, tableNames, tempMigrations, type TempMigrations } from './helpers.ts';

const FIRST = '2026-03-01T00-00-00-create-notes.sql';
const SECOND = '2026-03-01T00-00-01-create-labels.sql';
const THIRD = '2026-03-01T00-00-02-create-reports.sql';

describe('a database holding an object a pending migration would create', () => {
  const databases: TestDatabase[] = [];
  const database = async (label: string) => {
    const db = await createTestDatabase(label);
    databases.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('on a fresh database: stops before changing anything, naming migration and table', async () => {
    const db = await database('conflict_fresh');
    await query(db.ownerUrl, 'create table documents (id int)');
    const [initial] = await readMigrations();
    const attempt = migrateUp(db.ownerUrl);
    await expect(attempt).rejects.toBeInstanceOf(MigrationConflictError);
    await expect(attempt).rejects.toMatchObject({
      migration: initial!.name,
      object: 'relation "documents"',
      source: 'database',
      message: expect.stringContaining(
        `${initial!.name} would create relation "documents", which already exists in the database`,
      ),
    });
    expect(await tableNames(db.ownerUrl)).toEqual(['documents']);
    expect(await ledgerNames(db.ownerUrl)).toBeNull();
  });

  describe('after earlier migrations were applied', () => {
    let temp: TempMigrations;
    beforeAll(async () => {
      temp = await tempMigrations({ [FIRST]: migration('create table notes (id int);') });
    });
    afterAll(async () => {
      await temp?.cleanup();
    });

    it('applies none of the pending ones when a later one conflicts', async () => {
      const db = await database('conflict_later');
      await migrateUp(db.ownerUrl, temp.dir);
      const later = await tempMigrations({
        [FIRST]: migration('create table notes (id int);'),
        [SECOND]: migration('create table labels (id int);'),
        [THIRD]: migration('create table reports (id int);\nalter table notes add column body text;'),
      });
      try {
        // By hand: a column the third migration would add.
        await query(db.ownerUrl, 'alter table notes add column body text');
        const attempt = migrateUp(db.ownerUrl, later.dir);
        await expect(attempt).rejects.toBeInstanceOf(MigrationConflictError);
        await expect(attempt).rejects.toMatchObject({
          migration: THIRD,
          object: 'column "body" of relation "notes"',
          databaseError: expect.objectContaining({ code: '42701' }),
        });
        expect(await tableNames(db.ownerUrl)).toEqual(['notes', 'schema_migrations']);
        expect(await ledgerNames(db.ownerUrl)).toEqual([FIRST]);
      } finally {
        await later.cleanup();
      }
    });
  });

  it('reports an index created by hand the same way', async () => {
    const db = await database('conflict_index');
    const temp = await tempMigrations({
      [FIRST]: migration('create table notes (id int);'),
      [SECOND]: migration('create table labels (id int);\ncreate index labels_id_index on labels (id);'),
    });
    try {
      await query(db.ownerUrl, 'create table scratch (id int)');
      await query(db.ownerUrl, 'create index labels_id_index on scratch (id)');
      await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toMatchObject({
        migration: SECOND,
        object: 'relation "labels_id_index"',
        source: 'database',
      });
      expect(await tableNames(db.ownerUrl)).toEqual(['scratch']);
    } finally {
      await temp.cleanup();
    }
  });
});
