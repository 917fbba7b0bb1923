import { describe, expect, it } from '@jest/globals';
import { assertSchemaCurrent, migrateUp, MigrationConflictError } from '@docuvault/shared/migrations/index';
import { ledgerNames, migration, query, runCli, tableNames, scratchMigrations } from './helpers.ts';

const ONE = '2026-12-04T00-00-00-create-one.sql';
const TWO = '2026-12-04T00-00-01-create-two.sql';

const setup = scratchMigrations();

describe('a migration that creates the same object twice', () => {
  it('is reported as that file’s fault, with the line, not as the database’s', async () => {
    const { db, temp } = await setup('twice', {
      [ONE]: migration('create table one (id int);\n\ncreate table one (id int);'),
    });
    const attempt = migrateUp(db.ownerUrl, temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(MigrationConflictError);
    await expect(attempt).rejects.toMatchObject({ source: 'same-file', migration: ONE });
    await expect(attempt).rejects.toThrow(
      `${ONE} creates relation "one" twice (the second time at line 6); this is a fault of that file, not of the database`,
    );
    expect(await tableNames(db.ownerUrl)).toEqual([]);
  });

  it('a column added twice and an index named twice are the file’s fault too', async () => {
    const { db, temp } = await setup('twice_column', {
      [ONE]: migration('create table one (id int);'),
      [TWO]: migration(
        'alter table one add column note text;\ncreate index one_id_index on one (id);\n' +
          'alter table one add column note text;',
      ),
    });
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toMatchObject({
      source: 'same-file',
      object: 'column "note" of relation "one"',
    });
    await temp.write(
      TWO,
      migration('create index one_id_index on one (id);\ncreate index one_id_index on one (id);'),
    );
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toMatchObject({
      source: 'same-file',
      object: 'relation "one_id_index"',
    });
  });

  it('an object an earlier pending migration creates is named as such', async () => {
    const { db, temp } = await setup('twice_earlier', {
      [ONE]: migration('create table one (id int);'),
      [TWO]: migration('create table two (id int);\ncreate table one (id int);'),
    });
    await expect(migrateUp(db.ownerUrl, temp.dir)).rejects.toThrow(
      `${TWO} would create relation "one" at line 5, which an earlier pending migration already creates`,
    );
    expect(await ledgerNames(db.ownerUrl)).toBeNull();
  });
});

describe('files in migrations/ that are not migrations', () => {
  it('a badly named migration is refused by name, by up and by readiness', async () => {
    const { db, temp } = await setup('stray', { [ONE]: migration('create table one (id int);') });
    await migrateUp(db.ownerUrl, temp.dir);
    for (const stray of [
      '2026-12-05-create-two.sql',
      'create-two.SQL',
      '2026-12-05T00-00-00-Create-Two.sql',
    ]) {
      await temp.write(stray, migration('create table two (id int);'));
      await expect(assertSchemaCurrent(db.appUrl, temp.dir)).rejects.toThrow(
        `${stray}: looks like a migration`,
      );
      const result = await runCli(['up', '--dir', temp.dir], db.ownerUrl);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(stray);
      await temp.remove(stray);
    }
  });

  it('any other file is ignored by readiness and listed by name in status', async () => {
    const { db, temp } = await setup('stray_other', {
      [ONE]: migration('create table one (id int);'),
      'notes.txt': 'remember to add an index',
      'README.md': '# migrations',
    });
    await migrateUp(db.ownerUrl, temp.dir);
    await expect(assertSchemaCurrent(db.appUrl, temp.dir)).resolves.toBeUndefined();
    const result = await runCli(['status', '--dir', temp.dir], db.ownerUrl);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'ignored (not named like a migration, nor like one gone wrong): notes.txt',
    );
  });
});

describe('NOTICEs from PostgreSQL', () => {
  it('are shown with the migration they came from', async () => {
    const { db, temp } = await setup('notices', {
      [ONE]: migration(
        'create table if not exists one (id int);\n' +
          "do $$ begin raise notice 'backfilled % rows', 3; end $$;",
      ),
    });
    await query(db.ownerUrl, 'create table one (id int)');
    const result = await runCli(['up', '--dir', temp.dir], db.ownerUrl);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`  ${ONE}: NOTICE: relation "one" already exists, skipping`);
    expect(result.stdout).toContain(`  ${ONE}: NOTICE: backfilled 3 rows`);
  });
});
