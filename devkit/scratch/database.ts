import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { provisionDatabase } from '@docuvault/shared/db/roles';
import { defaultMigrationsDir, migrateUp } from '@docuvault/shared/migrations/index';

export interface TestDatabase {
  readonly name: string;
  /** Superuser, connected to this database: for arranging what no role of the app may do. */
  readonly adminUrl: string;
  /** Migration role (owner of the schema). */
  readonly ownerUrl: string;
  /** Runtime role (data access only). */
  readonly appUrl: string;
  drop(): Promise<void>;
}

function superuserUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set (the jest globalSetup provides it)');
  return url;
}

/**
 * Roles are cluster-wide and test files run in parallel, so the database and both roles
 * get a unique name; `label` only makes a leftover recognisable.
 */
function uniqueName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 30);
  return `dvt_${slug}_${randomBytes(5).toString('hex')}`;
}

async function asSuperuser(fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl() });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(label);
  const roles = { ownerRole: `${name}_owner`, appRole: `${name}_app` };
  const { ownerUrl, appUrl } = await provisionDatabase(superuserUrl(), {
    database: name,
    ...roles,
    ownerPassword: randomBytes(12).toString('hex'),
    appPassword: randomBytes(12).toString('hex'),
  });
  const adminUrl = new URL(superuserUrl());
  adminUrl.pathname = `/${name}`;
  return {
    name,
    adminUrl: adminUrl.toString(),
    ownerUrl,
    appUrl,
    drop: () =>
      asSuperuser(async (client) => {
        // force: a pool a test forgot to close must not leave the database behind
        await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
        for (const role of [roles.appRole, roles.ownerRole]) {
          await client.query(`drop role if exists ${pg.escapeIdentifier(role)}`);
        }
      }),
  };
}

/** A test database with every migration of `dir` (default: the repository's) applied by the owner role. */
export async function migratedTestDatabase(
  label: string,
  dir: string = defaultMigrationsDir,
): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  try {
    await migrateUp(database.ownerUrl, dir);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}
