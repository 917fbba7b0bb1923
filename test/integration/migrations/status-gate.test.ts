import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { migrateUp, migrationStatus } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { migration, query, runCli, tempMigrations, type TempMigrations } from './helpers.ts';

const ONE = '2026-07-01T00-00-00-create-one.sql';
const TWO = '2026-07-01T00-00-01-create-two.sql';
const EARLY = '2026-06-30T00-00-00-create-early.sql';
const LATE = '2026-07-02T00-00-00-create-late.sql';

let db: TestDatabase;
let temp: TempMigrations;
beforeEach(async () => {
  db = await createTestDatabase('status_gate');
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

const status = (...flags: string[]) => runCli(['status', ...flags, '--dir', temp.dir], db.ownerUrl);

describe('migrate -- status as a gate', () => {
  it('exits 0 with nothing on stderr when up to date', async () => {
    expect(await status()).toMatchObject({ code: 0, stderr: '' });
  });

  it.each([
    ['pending', async () => temp.write(LATE, migration('create table late (id int);')), `${LATE} is pending`],
    ['missing', async () => temp.remove(TWO), `${TWO} is applied but its file is missing`],
    [
      'changed',
      async () => temp.write(ONE, migration('create table one (id bigint);')),
      `${ONE} is applied but its file has changed`,
    ],
    [
      'out of order',
      async () => temp.write(EARLY, migration('create table early (id int);')),
      `${EARLY} is pending but sorts before an applied migration (out of order)`,
    ],
  ])('exits 3 and says why when a migration is %s', async (_case, arrange, reason) => {
    await arrange();
    const result = await status();
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`migrate: schema is not up to date: `);
    expect(result.stderr).toContain(reason);
  });

  it('exits 1, not 0, when it cannot read the database', async () => {
    const result = await runCli(
      ['status', '--dir', temp.dir],
      db.ownerUrl.replace(/\/[^/]+$/, '/no_such_db'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^migrate: .*no_such_db/);
  });

  it('--json prints the same facts as migrationStatus, with the same exit code', async () => {
    await temp.write(LATE, migration('create table late (id int);'));
    const result = await status('--json');
    expect(result.code).toBe(3);
    const expected = JSON.parse(JSON.stringify(await migrationStatus(db.ownerUrl, temp.dir)));
    expect(JSON.parse(result.stdout)).toEqual(expected);
    expect(expected).toMatchObject({
      upToDate: false,
      migrations: [
        { name: ONE, state: 'APPLIED' },
        { name: TWO, state: 'APPLIED' },
        { name: LATE, state: 'PENDING', appliedAt: null },
      ],
    });
  });

  it('is read-only: a status run changes nothing in the database', async () => {
    await temp.write(LATE, migration('create table late (id int);'));
    await status();
    expect(await query(db.ownerUrl, "select to_regclass('late') as late")).toEqual([{ late: null }]);
  });
});
