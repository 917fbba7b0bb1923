import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  baseline,
  migrateUp,
  migrationStatus,
  readMigrations,
  repairLedger,
  resolve,
} from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ledgerNames, migration, query, runCli, tempMigrations, type TempMigrations } from './helpers.ts';

const ONE = '2026-12-02T00-00-00-create-one.sql';
const TWO = '2026-12-02T00-00-01-create-two.sql';
const THREE = '2026-12-02T00-00-02-create-three.sql';

let db: TestDatabase;
let temp: TempMigrations;
beforeEach(async () => {
  db = await createTestDatabase('ledger_repair');
  temp = await tempMigrations({
    [ONE]: migration('create table one (id int);', 'drop table one;'),
    [TWO]: migration('create table two (id int);\nalter table one add column note text;', 'drop table two;'),
  });
});
afterEach(async () => {
  await temp.cleanup();
  await db.drop();
});

const cli = (...args: string[]) => runCli([...args, '--dir', temp.dir], db.ownerUrl);
const audit = () =>
  query<{ command: string; migration: string; role: string; action: string }>(
    db.ownerUrl,
    "select command, migration, role, details->>'action' as action from schema_migrations_audit order by at, migration",
  );
const states = async () =>
  (await migrationStatus(db.ownerUrl, temp.dir)).migrations.map((m) => [m.name, m.state]);
const owner = () => decodeURIComponent(new URL(db.ownerUrl).username);

describe('repair', () => {
  beforeEach(async () => {
    await migrateUp(db.ownerUrl, temp.dir);
  });

  it('shows the diff of an edited file, re-records its checksum, and audits it', async () => {
    await temp.write(ONE, migration('create table one (id int);\n-- kept deliberately', 'drop table one;'));
    const planned = await cli('repair', '--plan');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(`would: re-record the checksum of ${ONE}`);
    expect(planned.stdout).toMatch(/ create table one \(id int\);\n\+-- kept deliberately\n/);
    expect(await states()).toContainEqual([ONE, 'APPLIED_BUT_CHANGED']);

    const result = await cli('repair');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('done: 1 ledger change(s), recorded in schema_migrations_audit');
    expect(await states()).toEqual([
      [ONE, 'APPLIED'],
      [TWO, 'APPLIED'],
    ]);
    expect(await audit()).toEqual([
      { command: 'repair', migration: ONE, role: owner(), action: 'recorded-checksum' },
    ]);
  });

  it('forgets an applied migration whose file is gone, leaving its objects', async () => {
    await temp.remove(TWO);
    const [change] = await repairLedger(db.ownerUrl, { dir: temp.dir });
    expect(change).toMatchObject({ migration: TWO, action: 'forgot' });
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
    expect(await query(db.ownerUrl, "select to_regclass('two') is not null as kept")).toEqual([
      { kept: true },
    ]);
    expect(await audit()).toEqual([{ command: 'repair', migration: TWO, role: owner(), action: 'forgot' }]);
  });
});

describe('baseline', () => {
  it('records a schema made by hand as migrated up to a name, running nothing, and up goes on from there', async () => {
    await query(
      db.ownerUrl,
      'create table one (id int); create table two (id int); alter table one add column note text',
    );
    await temp.write(THREE, migration('create table three (id int);'));
    const result = await cli('baseline', TWO);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`mark ${ONE} applied (not run: baseline)\nmark ${TWO} applied`);
    expect(await states()).toEqual([
      [ONE, 'APPLIED'],
      [TWO, 'APPLIED'],
      [THREE, 'PENDING'],
    ]);
    expect(await migrateUp(db.ownerUrl, temp.dir)).toEqual({ applied: [THREE] });
    expect((await audit()).map((row) => [row.command, row.migration])).toEqual([
      ['baseline', ONE],
      ['baseline', TWO],
    ]);
  });

  it('refuses when the catalogue lacks what those migrations create, naming it', async () => {
    await query(db.ownerUrl, 'create table one (id int); create table two (id int)');
    const result = await cli('baseline', TWO);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refusing to baseline at');
    expect(result.stderr).toContain('column "note" of "one"');
    expect(await ledgerNames(db.ownerUrl)).toBeNull();
  });

  it('works on the real schema built by hand, and refuses it with a column missing', async () => {
    const files = await readMigrations();
    const last = files.at(-1)!.name;
    // As the runner does: a file headed "migrate: no-transaction" (a concurrent index build) runs
    // statement by statement, any other whole.
    for (const file of files) {
      const { analysis } = file.up;
      if (file.header.transactional || !analysis.ok) await query(db.ownerUrl, file.up.sql);
      else for (const statement of analysis.statements) await query(db.ownerUrl, statement.sql);
    }
    await query(db.ownerUrl, 'alter table classifier_models drop column training_ms cascade');
    await expect(baseline(db.ownerUrl, last)).rejects.toThrow('column "training_ms" of "classifier_models"');
    await query(
      db.ownerUrl,
      'alter table classifier_models add column training_ms integer not null default 0 ' +
        'constraint classifier_models_training_ms_check check (training_ms >= 0)',
    );
    await baseline(db.ownerUrl, last);
    expect((await migrationStatus(db.ownerUrl)).upToDate).toBe(true);
  });
});

describe('resolve', () => {
  it('--applied records a migration applied by hand once its objects exist', async () => {
    await migrateUp(db.ownerUrl, temp.dir);
    await temp.write(THREE, migration('create table three (id int);'));
    await expect(resolve(db.ownerUrl, THREE, 'applied', { dir: temp.dir })).rejects.toThrow(
      'lacks what 2026-12-02T00-00-02-create-three.sql create: relation "three"',
    );
    await query(db.ownerUrl, 'create table three (id int)');
    const result = await cli('resolve', '--applied', THREE);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`mark ${THREE} applied (not run: resolved by hand)`);
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE, TWO, THREE]);
  });

  it('--rolled-back forgets a migration undone by hand; both are audited', async () => {
    await migrateUp(db.ownerUrl, temp.dir);
    await query(db.ownerUrl, 'drop table two');
    const result = await cli('resolve', '--rolled-back', TWO);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await states()).toEqual([
      [ONE, 'APPLIED'],
      [TWO, 'PENDING'],
    ]);
    expect(await audit()).toEqual([
      { command: 'resolve', migration: TWO, role: owner(), action: 'marked-rolled-back' },
    ]);
    expect(await cli('resolve', '--rolled-back', TWO)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('it is not recorded as applied'),
    });
  });

  it('the audit table is the owner’s alone', async () => {
    await migrateUp(db.ownerUrl, temp.dir);
    await resolve(db.ownerUrl, TWO, 'rolled-back', { dir: temp.dir });
    await expect(query(db.appUrl, 'select * from schema_migrations_audit')).rejects.toMatchObject({
      code: '42501',
    });
  });
});
