import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  assertSchemaCurrent,
  defaultMigrationsDir,
  migrateUp,
  migrationStatus,
} from '@docuvault/shared/migrations/index';
import { checksumOf } from '@docuvault/shared/migrations/files';
import { createTestDatabase, migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { migration, query, tempMigrations, type TempMigrations } from './helpers.ts';

const databases: TestDatabase[] = [];
const temps: TempMigrations[] = [];
afterAll(async () => {
  for (const temp of temps) await temp.cleanup();
  for (const db of databases) await db.drop();
});

/** The repository's migrations as a Windows checkout with autocrlf leaves them, plus stray trailing blanks. */
async function windowsCheckout(): Promise<TempMigrations> {
  const names = (await readdir(defaultMigrationsDir)).filter((name) => name.endsWith('.sql'));
  const files: Record<string, string> = {};
  for (const name of names) {
    const text = await readFile(path.join(defaultMigrationsDir, name), 'utf8');
    files[name] = text.replaceAll('\n', '  \t\r\n') + '\r\n\r\n';
  }
  const temp = await tempMigrations(files);
  temps.push(temp);
  return temp;
}

describe('checksums', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await migratedTestDatabase('checksums');
    databases.push(db);
  });

  it('a CRLF checkout with trailing whitespace is not a change: every migration stays applied, services ready', async () => {
    const crlf = await windowsCheckout();
    const status = await migrationStatus(db.ownerUrl, crlf.dir);
    expect(status.upToDate).toBe(true);
    await expect(assertSchemaCurrent(db.appUrl, crlf.dir)).resolves.toBeUndefined();
    expect(await migrateUp(db.ownerUrl, crlf.dir)).toEqual({ applied: [] });
  });

  it('a database migrated from a CRLF checkout is current for an LF checkout too', async () => {
    const fromWindows = await createTestDatabase('checksums_crlf_first');
    databases.push(fromWindows);
    await migrateUp(fromWindows.ownerUrl, (await windowsCheckout()).dir);
    expect((await migrationStatus(fromWindows.ownerUrl)).upToDate).toBe(true);
  });

  it('a comment edit does count as a change', async () => {
    const NAME = '2026-09-01T00-00-00-create-one.sql';
    const other = await createTestDatabase('checksums_comment');
    databases.push(other);
    const temp = await tempMigrations({ [NAME]: migration('create table one (id int);') });
    temps.push(temp);
    await migrateUp(other.ownerUrl, temp.dir);
    await temp.write(NAME, migration('create table one (id int); -- a second thought'));
    const status = await migrationStatus(other.ownerUrl, temp.dir);
    expect(status.migrations.map((m) => m.state)).toEqual(['APPLIED_BUT_CHANGED']);
  });

  it('a ledger written before normalising (sha256 of the raw bytes) still matches its file', async () => {
    const NAME = '2026-09-01T00-00-00-create-one.sql';
    const other = await createTestDatabase('checksums_legacy');
    databases.push(other);
    const text = `${migration('create table one (id int);   ')}\r\n`;
    const temp = await tempMigrations({ [NAME]: text });
    temps.push(temp);
    await migrateUp(other.ownerUrl, temp.dir);
    await query(other.ownerUrl, 'update schema_migrations set checksum = $1', [
      checksumOf(Buffer.from(text)),
    ]);
    const status = await migrationStatus(other.ownerUrl, temp.dir);
    expect(status.migrations.map((m) => m.state)).toEqual(['APPLIED']);
  });
});
