import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ADVISORY_LOCK_KEY, MigrationFailedError, migrateUp } from '@docuvault/shared/migrations/index';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { ledgerNames, migration, query, runCli, tempMigrations, type TempMigrations } from './helpers.ts';

const ONE = '2026-11-01T00-00-00-create-one.sql';
const ALTER = '2026-11-01T00-00-01-alter-one.sql';

let db: TestDatabase;
let base: TempMigrations;
const temps: TempMigrations[] = [];
beforeAll(async () => {
  db = await createTestDatabase('timeouts');
  base = await tempMigrations({ [ONE]: migration('create table one (id int);') });
  await migrateUp(db.ownerUrl, base.dir);
});
afterAll(async () => {
  for (const temp of [base, ...temps]) await temp?.cleanup();
  await db?.drop();
});

async function withAlter(header = ''): Promise<TempMigrations> {
  const temp = await tempMigrations({
    [ONE]: migration('create table one (id int);'),
    [ALTER]: `${header}-- migrate:up\nalter table one add column note text;\n-- migrate:down\n`,
  });
  temps.push(temp);
  return temp;
}

/** A session of the runtime role in the middle of a long read of `one`: it holds ACCESS SHARE. */
async function longReader(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.appUrl });
  await client.connect();
  await client.query('begin');
  await client.query('select * from one');
  return client;
}

describe('lock_timeout', () => {
  it('a blocked migration gives up instead of stalling runtime queries behind it', async () => {
    const reader = await longReader();
    try {
      const temp = await withAlter();
      const attempt = migrateUp(db.ownerUrl, temp.dir, { lockTimeoutMs: 500 });
      // Queued behind the ALTER's ACCESS EXCLUSIVE request; answers once the ALTER gives up.
      const runtimeQuery = query(db.appUrl, 'select count(*)::int as n from one');
      await expect(attempt).rejects.toBeInstanceOf(MigrationFailedError);
      await expect(attempt).rejects.toMatchObject({
        migration: ALTER,
        databaseError: expect.objectContaining({ code: '55P03' }),
        message: expect.stringContaining('gave up waiting for a lock another session holds (lock_timeout)'),
      });
      await expect(runtimeQuery).resolves.toEqual([{ n: 0 }]);
      expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
    } finally {
      await reader.end();
    }
  }, 20_000);

  it('comes from MIGRATE_LOCK_TIMEOUT_MS for the CLI, and a file header overrides it', async () => {
    const reader = await longReader();
    try {
      const configured = await runCli(['up', '--dir', (await withAlter()).dir], db.ownerUrl, {
        MIGRATE_LOCK_TIMEOUT_MS: '300',
      });
      expect(configured.code).toBe(1);
      expect(configured.stderr).toContain('SQLSTATE 55P03');
      const header = await withAlter('-- migrate: lock-timeout 300ms\n');
      const started = Date.now();
      await expect(migrateUp(db.ownerUrl, header.dir, { lockTimeoutMs: 600_000 })).rejects.toMatchObject({
        databaseError: expect.objectContaining({ code: '55P03' }),
      });
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await reader.end();
    }
  }, 30_000);
});

describe('statement_timeout', () => {
  it('when set, cancels a statement that runs too long', async () => {
    const temp = await tempMigrations({
      [ONE]: migration('create table one (id int);'),
      [ALTER]: migration('select pg_sleep(5);'),
    });
    temps.push(temp);
    await expect(migrateUp(db.ownerUrl, temp.dir, { statementTimeoutMs: 200 })).rejects.toMatchObject({
      migration: ALTER,
      databaseError: expect.objectContaining({ code: '57014' }),
      message: expect.stringContaining('statement-timeout <duration>'),
    });
    expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
  }, 20_000);
});

describe('waiting for another runner', () => {
  it('gives up after the configured time, naming the holder, and changes nothing', async () => {
    const holder = new pg.Client({ connectionString: db.ownerUrl, application_name: 'stuck-runner' });
    await holder.connect();
    try {
      await holder.query(`select pg_advisory_lock(${ADVISORY_LOCK_KEY})`);
      const temp = await withAlter();
      const attempt = migrateUp(db.ownerUrl, temp.dir, { lockWaitMs: 500 });
      await expect(attempt).rejects.toThrow(
        new RegExp(
          `^gave up after 0.5 s waiting for another migration runner: advisory lock ${ADVISORY_LOCK_KEY} ` +
            'is held by backend pid \\d+ \\(application "stuck-runner"',
        ),
      );
      const cli = await runCli(['up', '--dir', temp.dir], db.ownerUrl, { MIGRATE_LOCK_WAIT_SECONDS: '1' });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('gave up after 1 s waiting for another migration runner');
      expect(await ledgerNames(db.ownerUrl)).toEqual([ONE]);
    } finally {
      await holder.end();
    }
  }, 30_000);
});
