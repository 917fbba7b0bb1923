import { spawn } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** A migration file's text. */
export function migration(up: string, down = ''): string {
  return `-- test migration\n\n-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;
}

export interface TempMigrations {
  readonly dir: string;
  write(name: string, text: string): Promise<void>;
  remove(name: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function tempMigrations(files: Record<string, string>): Promise<TempMigrations> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dv-migrations-'));
  const temp: TempMigrations = {
    dir,
    write: (name, text) => writeFile(path.join(dir, name), text),
    remove: (name) => unlink(path.join(dir, name)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  for (const [name, text] of Object.entries(files)) await temp.write(name, text);
  return temp;
}

export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export async function tableNames(url: string): Promise<string[]> {
  const rows = await query<{ tablename: string }>(
    url,
    "select tablename from pg_tables where schemaname = 'public' order by tablename",
  );
  return rows.map((row) => row.tablename);
}

/** Ledger rows by name, or null when the ledger table does not exist. */
export async function ledgerNames(url: string): Promise<string[] | null> {
  const [{ exists }] = (await query<{ exists: boolean }>(
    url,
    "select to_regclass('public.schema_migrations') is not null as exists",
  )) as [{ exists: boolean }];
  if (!exists) return null;
  const rows = await query<{ name: string }>(url, 'select name from schema_migrations order by name');
  return rows.map((row) => row.name);
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node shared/src/migrations/cli.ts …` as its own process, as `npm run migrate` does. */
export function runCli(
  args: string[],
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['shared/src/migrations/cli.ts', ...args], {
      cwd: repoRoot,
      // NODE_OPTIONS from `npm test` (vm modules) is for jest, not for the CLI.
      env: { PATH: process.env.PATH, DATABASE_MIGRATE_URL: databaseUrl, NODE_ENV: 'test', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A scratch database and a migrations folder per call, for suites whose tests each start
 * from their own files; everything made is removed after the suite.
 */
export function scratchMigrations(): (
  label: string,
  files: Record<string, string>,
) => Promise<{ db: TestDatabase; temp: TempMigrations }> {
  const databases: TestDatabase[] = [];
  const temps: TempMigrations[] = [];
  afterAll(async () => {
    for (const temp of temps) await temp.cleanup();
    for (const db of databases) await db.drop();
  });
  return async (label, files) => {
    const db = await createTestDatabase(label);
    databases.push(db);
    const temp = await tempMigrations(files);
    temps.push(temp);
    return { db, temp };
  };
}
