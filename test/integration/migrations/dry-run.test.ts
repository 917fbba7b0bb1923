import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MigrationConflictError, migrateUp } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ledgerNames, migration, query, tempMigrations, type TempMigrations } from './helpers.ts';

const ONE = '2026-12-01T00-00-00-create-items.sql';
const TWO = '2026-12-01T00-00-01-insert-first-item.sql';
const THREE = '2026-12-01T00-00-02-create-labels.sql';

let db: TestDatabase;
const temps: TempMigrations[] = [];
beforeAll(async () => {
  db = await createTestDatabase('dry_run');
  const first = await tempMigrations({
    [ONE]: migration(
      'create table items (id int generated always as identity primary key, label text);\n' +
        'create sequence runs;\ncreate table heavy_log (at timestamptz);',
    ),
  });
  temps.push(first);
  await migrateUp(db.ownerUrl, first.dir);
});
afterAll(async () => {
  for (const temp of temps) await temp.cleanup();
  await db?.drop();
});

describe('the dry run before up', () => {
  it('leaves sequences as a single run would: the first row gets id 1, the counter counts one run', async () => {
    const temp = await tempMigrations({
      [ONE]: migration(
        'create table items (id int generated always as identity primary key, label text);\n' +
          'create sequence runs;\ncreate table heavy_log (at timestamptz);',
      ),
      // A data migration: each execution of it consumes the sequences and logs a row.
      [TWO]: migration(
        "insert into items (label) values ('first');\nselect nextval('runs');\n" +
          'insert into heavy_log select clock_timestamp();',
      ),
      [THREE]: migration('create table labels (id int);'),
    });
    temps.push(temp);
    expect(await migrateUp(db.ownerUrl, temp.dir)).toEqual({ applied: [TWO, THREE] });
    expect(await query(db.ownerUrl, 'select id, label from items')).toEqual([{ id: 1, label: 'first' }]);
    expect(await query(db.ownerUrl, 'select last_value::int as runs from runs')).toEqual([{ runs: 1 }]);
  });

  it('still finds conflicts: behind a skipped data statement, and on an index name without building it', async () => {
    const fresh = await createTestDatabase('dry_run_conflict');
    try {
      const temp = await tempMigrations({
        [ONE]: migration("create sequence runs;\nselect nextval('runs');\ncreate table notes (id int);"),
        [TWO]: migration('create table labels (id int);\ncreate index labels_id_index on labels (id);'),
      });
      temps.push(temp);
      await query(fresh.ownerUrl, 'create sequence runs');
      await expect(migrateUp(fresh.ownerUrl, temp.dir)).rejects.toMatchObject({
        migration: ONE,
        object: 'relation "runs"',
      });
      await query(fresh.ownerUrl, 'drop sequence runs');
      await query(
        fresh.ownerUrl,
        'create table scratch (id int); create index labels_id_index on scratch (id)',
      );
      const attempt = migrateUp(fresh.ownerUrl, temp.dir);
      await expect(attempt).rejects.toBeInstanceOf(MigrationConflictError);
      await expect(attempt).rejects.toMatchObject({ migration: TWO, object: 'relation "labels_id_index"' });
      expect(await ledgerNames(fresh.ownerUrl)).toBeNull();
      expect(await query(fresh.ownerUrl, "select to_regclass('runs') as runs")).toEqual([{ runs: null }]);
    } finally {
      await fresh.drop();
    }
  });
});
