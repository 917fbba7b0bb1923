import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { migrateDown, migrateUp } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import {
  ledgerNames,
  migration,
  runCli,
  tableNames,
  tempMigrations,
  type TempMigrations,
} from './helpers.ts';

const ONE = '2026-08-01T00-00-00-create-one.sql';
const TWO = '2026-08-01T00-00-01-create-two.sql';
const THREE = '2026-08-01T00-00-02-create-three.sql';

let db: TestDatabase;
let temp: TempMigrations;
beforeEach(async () => {
  db = await createTestDatabase('down_guard');
  temp = await tempMigrations({
    [ONE]: migration('create table one (id int);', 'drop table one;'),
    [TWO]: migration('create table two (id int);', 'drop table two;'),
    [THREE]: migration('create table three (id int);', 'drop table three;'),
  });
  await migrateUp(db.ownerUrl, temp.dir);
});
afterEach(async () => {
  await temp.cleanup();
  await db.drop();
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '--dir', temp.dir], db.ownerUrl, env);
const everything = ['one', 'schema_migrations', 'three', 'two'];

describe('down is guarded', () => {
  it('in production, without --yes: prints the plan, refuses, changes nothing', async () => {
    const result = await cli(['down'], { NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`plan: roll back 1 migration(s)`);
    expect(result.stdout).toContain(`${THREE}:\n      drop table three;`);
    expect(result.stderr).toBe(
      'migrate: refusing to roll back without --yes: NODE_ENV is production; nothing was changed\n',
    );
    expect(await tableNames(db.ownerUrl)).toEqual(everything);
  });

  it('when standard input is not a terminal, without --yes: refuses', async () => {
    const result = await cli(['down']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('standard input is not a terminal');
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE, TWO, THREE]);
  });

  it('--plan prints names and down statements and changes nothing, even in production', async () => {
    const result = await cli(['down', '--to', ONE, '--plan'], { NODE_ENV: 'production' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'plan: roll back 2 migration(s), newest first, running their down sections:',
        `  ${THREE}:`,
        '      drop table three;',
        `  ${TWO}:`,
        '      drop table two;',
        '',
      ].join('\n'),
    );
    expect(await tableNames(db.ownerUrl)).toEqual(everything);
  });

  it('--to <name> --yes rolls back every migration after it, newest first, and keeps it', async () => {
    const result = await cli(['down', '--to', ONE, '--yes'], { NODE_ENV: 'production' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`rolled back ${THREE}\\nrolled back ${TWO}\\n$`));
    expect(await tableNames(db.ownerUrl)).toEqual(['one', 'schema_migrations']);
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
  });

  it('--to a name that is not applied is refused', async () => {
    const result = await cli(['down', '--to', '2026-08-01T00-00-09-create-nine.sql', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it is not an applied migration');
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE, TWO, THREE]);
  });

  it('--to refuses the whole range, before running anything, when one step is irreversible', async () => {
    await migrateDown(db.ownerUrl, temp.dir, { to: ONE });
    await temp.write(TWO, migration('create table two (id int);', '-- irreversible'));
    await migrateUp(db.ownerUrl, temp.dir);
    await expect(migrateDown(db.ownerUrl, temp.dir, { to: ONE })).rejects.toThrow(
      `${TWO} has an empty "-- migrate:down" section and cannot be rolled back; nothing was changed`,
    );
    expect(await tableNames(db.ownerUrl)).toEqual(everything);
  });

  it('refuses when the plan changed between showing it and running it', async () => {
    await expect(migrateDown(db.ownerUrl, temp.dir, { expected: [TWO] })).rejects.toThrow(
      `the plan changed since it was shown (now: ${THREE})`,
    );
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE, TWO, THREE]);
  });
});

describe('up --plan', () => {
  it('lists what would be applied and changes nothing', async () => {
    const fresh = await createTestDatabase('up_plan');
    try {
      const result = await runCli(['up', '--plan', '--dir', temp.dir], fresh.ownerUrl);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toBe(
        `plan: apply 3 migration(s), in this order:\n  ${ONE}\n  ${TWO}\n  ${THREE}\n`,
      );
      expect(await tableNames(fresh.ownerUrl)).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });

  it('is refused where it does not apply (--yes on up) as a usage error', async () => {
    expect(await cli(['up', '--yes'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--yes does not apply to up'),
    });
  });
});
