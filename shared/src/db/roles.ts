import pg from 'pg';

// Two roles per database: the owner (migration role) owns the schema and is the only one
// that can change it; the app (runtime role) may only read and write rows. A bug or an
// injection in a service therefore cannot drop or alter a table.

export interface ProvisionOptions {
  readonly database: string;
  readonly ownerRole: string;
  readonly ownerPassword: string;
  readonly appRole: string;
  readonly appPassword: string;
}

export interface ProvisionedUrls {
  /** For `npm run migrate` (DATABASE_MIGRATE_URL). */
  readonly ownerUrl: string;
  /** For the services (DATABASE_URL). */
  readonly appUrl: string;
}

const id = pg.escapeIdentifier;
const literal = pg.escapeLiteral;

/**
 * Every statement of provisioning, in order, so the compose init script can mirror it
 * exactly. All are idempotent except `createDatabase`, which is to run only when the
 * database does not exist (it cannot run inside a transaction or a DO block).
 */
export function provisioningSql(o: ProvisionOptions): {
  /** On any database of the cluster, as a superuser. */
  roles: string[];
  createDatabase: string;
  /** On any database of the cluster, after the database exists. */
  databaseAccess: string[];
  /** Connected to the new database, as a superuser. */
  insideDatabase: string[];
} {
  const role = (name: string, password: string) => [
    `do $$ begin
       if not exists (select from pg_roles where rolname = ${literal(name)}) then
         create role ${id(name)} login;
       end if;
     end $$`,
    `alter role ${id(name)} with login password ${literal(password)}`,
  ];
  const [db, owner, app] = [id(o.database), id(o.ownerRole), id(o.appRole)];
  return {
    roles: [...role(o.ownerRole, o.ownerPassword), ...role(o.appRole, o.appPassword)],
    createDatabase: `create database ${db} owner ${owner}`,
    databaseAccess: [
      `alter database ${db} owner to ${owner}`,
      `revoke all on database ${db} from public`,
      `grant connect on database ${db} to ${owner}, ${app}`,
    ],
    insideDatabase: [
      // Before PostgreSQL 15 every role may create tables in public; take that back.
      'revoke all on schema public from public',
      `grant usage, create on schema public to ${owner}`,
      `grant usage on schema public to ${app}`,
      `alter default privileges for role ${owner} in schema public grant select, insert, update, delete on tables to ${app}`,
      `alter default privileges for role ${owner} in schema public grant usage, select on sequences to ${app}`,
    ],
  };
}

function urlFor(adminUrl: string, database: string, user: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'docuvault-provision' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Two provisioners racing: the loser's "already exists" means the work is done. */
async function ignoringDuplicate(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const code = error instanceof pg.DatabaseError ? error.code : undefined;
    // 42710 duplicate_object (role), 42P04 duplicate_database, 23505 catalog unique race
    if (code !== '42710' && code !== '42P04' && code !== '23505') throw error;
  }
}

/**
 * Creates (or converges) both roles, the database owned by the owner role, and the
 * grants. `adminUrl` must be a superuser on the cluster (the embedded or compose
 * `postgres` user). Returns URLs on the same host for both roles.
 */
export async function provisionDatabase(
  adminUrl: string,
  options: ProvisionOptions,
): Promise<ProvisionedUrls> {
  const sql = provisioningSql(options);
  await withAdmin(adminUrl, async (client) => {
    for (const statement of sql.roles) await ignoringDuplicate(() => client.query(statement));
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
      options.database,
    ]);
    if (rowCount === 0) await ignoringDuplicate(() => client.query(sql.createDatabase));
    for (const statement of sql.databaseAccess) await client.query(statement);
  });
  const adminOnDatabase = new URL(adminUrl);
  adminOnDatabase.pathname = `/${encodeURIComponent(options.database)}`;
  await withAdmin(adminOnDatabase.toString(), async (client) => {
    for (const statement of sql.insideDatabase) await client.query(statement);
  });
  return {
    ownerUrl: urlFor(adminUrl, options.database, options.ownerRole, options.ownerPassword),
    appUrl: urlFor(adminUrl, options.database, options.appRole, options.appPassword),
  };
}
