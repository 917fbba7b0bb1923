import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AUDIT_INSERT_PG } from '@docuvault/shared/audit/audit-log';
import { migrateDown, migrateUp, readMigrations } from '@docuvault/shared/migrations/index';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { query } from './helpers.ts';

/**
 * What the runtime role may do to each table, from what the services do (see the header of
 * migrations/2026-12-03T10-00-00-revoke-runtime-needless-writes.sql). A new table must be
 * added here: its migration decides what the runtime role gets.
 */
const ALLOWED: Record<string, readonly string[]> = {
  audit_log: ['INSERT', 'SELECT'],
  classifier_models: ['DELETE', 'INSERT', 'SELECT'],
  cloud_connections: ['SELECT'],
  deleted_accounts: ['INSERT', 'SELECT'],
  document_access: ['SELECT'],
  document_search_terms: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  document_topics: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  documents: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  folders: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  group_members: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  groups: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  object_removals: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  quotas: ['INSERT', 'SELECT', 'UPDATE'],
  refresh_tokens: ['INSERT', 'SELECT', 'UPDATE'],
  schema_migrations: ['SELECT'],
  share_links: ['INSERT', 'SELECT', 'UPDATE'],
  shares: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  topics: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  upload_tickets: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  users: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
};

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

let db: TestDatabase;
let appRole: string;
beforeAll(async () => {
  db = await migratedTestDatabase('runtime_privileges');
  appRole = decodeURIComponent(new URL(db.appUrl).username);
});
afterAll(async () => {
  await db?.drop();
});

/** Every table and sequence in public, with what the runtime role may do to it. */
async function runtimePrivileges(): Promise<Record<string, string[]>> {
  const rows = await query<{ relname: string; privileges: string[] }>(
    db.ownerUrl,
    `select c.relname,
            array(select p from unnest($2::text[]) p
                   where has_table_privilege($1, c.oid, p) order by p) as privileges
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')
      order by c.relname`,
    [appRole, TABLE_PRIVILEGES],
  );
  return Object.fromEntries(rows.map((row) => [row.relname, row.privileges]));
}

describe('the runtime role', () => {
  it('has exactly the declared privileges on every table, and no table is undeclared', async () => {
    expect(await runtimePrivileges()).toEqual(ALLOWED);
  });

  it('can append to audit_log but not rewrite or erase it', async () => {
    await query(db.appUrl, AUDIT_INSERT_PG, [null, 'test.append', 'target', 'req-1', '127.0.0.1', '{}']);
    expect(await query(db.appUrl, "select action from audit_log where action = 'test.append'")).toHaveLength(
      1,
    );
    for (const statement of [
      "update audit_log set action = 'forged'",
      'delete from audit_log',
      'truncate audit_log',
    ]) {
      await expect(query(db.appUrl, statement)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('may delete a user (deleteAccount), whose audit rows keep their actor', async () => {
    const [user] = await query<{ id: string }>(
      db.appUrl,
      "insert into users (email, password_hash) values ('gone@example.com', 'x') returning id",
    );
    await query(db.appUrl, AUDIT_INSERT_PG, [user!.id, 'test.actor', null, null, null, '{}']);
    await query(db.appUrl, 'insert into deleted_accounts (user_id) values ($1)', [user!.id]);
    await query(db.appUrl, 'delete from users where id = $1', [user!.id]);
    expect(await query(db.appUrl, "select actor_id from audit_log where action = 'test.actor'")).toEqual([
      { actor_id: user!.id },
    ]);
    await expect(query(db.appUrl, 'delete from deleted_accounts')).rejects.toThrow(/permission denied/);
  });

  it('gets its rights back when the migration is rolled back, and loses them again on up', async () => {
    const names = (await readMigrations()).map((file) => file.name);
    const before = names[names.indexOf('2026-12-03T10-00-00-revoke-runtime-needless-writes.sql') - 1]!;
    await migrateDown(db.ownerUrl, undefined, { to: before });
    expect((await runtimePrivileges()).audit_log).toEqual(['DELETE', 'INSERT', 'SELECT', 'UPDATE']);
    await migrateUp(db.ownerUrl);
    expect(await runtimePrivileges()).toEqual(ALLOWED);
  });
});
