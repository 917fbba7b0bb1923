import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MigrationRoleError, migrateDown, migrateUp } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import {
  ledgerNames,
  migration,
  query,
  runCli,
  tableNames,
  tempMigrations,
  type TempMigrations,
} from './helpers.ts';

const ONE = '2026-10-01T00-00-00-create-one.sql';

let db: TestDatabase;
let temp: TempMigrations;
let ownerRole: string;
beforeAll(async () => {
  db = await createTestDatabase('run_as');
  ownerRole = `${db.name}_owner`;
  temp = await tempMigrations({ [ONE]: migration('create table one (id int);', 'drop table one;') });
});
afterAll(async () => {
  await temp?.cleanup();
  await db?.drop();
});

describe('up runs only as the schema owner', () => {
  it('refuses a superuser, naming the role to use, and creates nothing', async () => {
    const attempt = migrateUp(db.adminUrl, temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(MigrationRoleError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^refusing to migrate as superuser "${new URL(db.adminUrl).username}": .* Connect as "${ownerRole}"`,
      ),
    );
    expect(await tableNames(db.ownerUrl)).toEqual([]);
  });

  it('refuses the runtime role', async () => {
    await expect(migrateUp(db.appUrl, temp.dir)).rejects.toThrow(
      `refusing to migrate as role "${db.name}_app"`,
    );
  });

  it('refuses another role even when it may create tables in the schema', async () => {
    const intruder = `${db.name}_other`;
    await query(db.adminUrl, `create role ${intruder} login password 'other-password'`);
    try {
      await query(db.adminUrl, `grant connect on database ${db.name} to ${intruder}`);
      await query(db.adminUrl, `grant usage, create on schema public to ${intruder}`);
      const url = new URL(db.ownerUrl);
      url.username = intruder;
      url.password = 'other-password';
      await expect(migrateUp(url.toString(), temp.dir)).rejects.toMatchObject({
        role: intruder,
        ownerRole,
      });
      expect(await tableNames(db.ownerUrl)).toEqual([]);
    } finally {
      await query(db.adminUrl, `revoke all on schema public from ${intruder}`);
      await query(db.adminUrl, `revoke all on database ${db.name} from ${intruder}`);
      await query(db.adminUrl, `drop role ${intruder}`);
    }
  });

  it('makes the CLI exit 1 with the message', async () => {
    const result = await runCli(['up', '--dir', temp.dir], db.adminUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Connect as "${ownerRole}" (DATABASE_MIGRATE_URL)`);
  });

  it('runs as the owner, and down refuses a superuser too', async () => {
    expect(await migrateUp(db.ownerUrl, temp.dir)).toEqual({ applied: [ONE] });
    await expect(migrateDown(db.adminUrl, temp.dir)).rejects.toBeInstanceOf(MigrationRoleError);
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
  });
});
