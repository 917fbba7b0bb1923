import type { Queryable } from './connection.ts';

/** The bookkeeping table; owned by the migration role, never an entity. */
export const LEDGER_TABLE = 'schema_migrations';

/** What repair, baseline and resolve changed in the ledger, by whom and when. */
export const LEDGER_AUDIT_TABLE = 'schema_migrations_audit';

export interface LedgerRow {
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly executionMs: number;
  /** The checksummed text as applied (null for rows written before it was kept), for `repair`'s diff. */
  readonly script: string | null;
}

export async function ledgerExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>(
    `select to_regclass('public.${LEDGER_TABLE}') is not null as exists`,
  );
  return rows[0]?.exists === true;
}

/**
 * Creates the ledger if absent. Default privileges hand every new table to the runtime
 * role for writing; the ledger is taken back so that only the migration role can mark a
 * migration applied (the runtime role keeps SELECT: services report schema status).
 */
/** Takes back what default privileges granted on a runner-owned table, but `keep`. */
function revokeFromOthers(table: string, privileges: string): string {
  return `
    do $$
    declare grantee text;
    begin
      for grantee in
        select distinct g.grantee from information_schema.role_table_grants g
        where g.table_schema = 'public' and g.table_name = '${table}' and g.grantee <> current_user
      loop
        execute format('revoke ${privileges} on public.${table} from %s',
          case when grantee = 'PUBLIC' then 'public' else quote_ident(grantee) end);
      end loop;
    end $$;`;
}

async function columnExists(db: Queryable, table: string, column: string): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>(
    `select exists (select from pg_attribute where attrelid = to_regclass($1) and attname = $2 and not attisdropped) as exists`,
    [`public.${table}`, column],
  );
  return rows[0]?.exists === true;
}

export async function ensureLedger(db: Queryable): Promise<void> {
  if (await ledgerExists(db)) {
    // Ledgers made before the applied text was kept get the column on the next write.
    if (!(await columnExists(db, LEDGER_TABLE, 'script')))
      await db.query(`alter table public.${LEDGER_TABLE} add column script text`);
    return;
  }
  await db.query(`
    create table public.${LEDGER_TABLE} (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now(),
      execution_ms integer not null,
      script text
    );
    ${revokeFromOthers(LEDGER_TABLE, 'insert, update, delete, truncate')}
  `);
}

/** The audit table of ledger repairs; no other role may read or write it. */
export async function ensureLedgerAudit(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ exists: boolean }>(
    `select to_regclass('public.${LEDGER_AUDIT_TABLE}') is not null as exists`,
  );
  if (rows[0]?.exists) return;
  await db.query(`
    create table public.${LEDGER_AUDIT_TABLE} (
      id uuid primary key default gen_random_uuid(),
      at timestamptz not null default now(),
      role text not null default current_user,
      command text not null,
      migration text not null,
      details jsonb not null default '{}'
    );
    ${revokeFromOthers(LEDGER_AUDIT_TABLE, 'all')}
  `);
}

export async function recordAudit(
  db: Queryable,
  command: string,
  migration: string,
  details: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `insert into public.${LEDGER_AUDIT_TABLE} (command, migration, details) values ($1, $2, $3::jsonb)`,
    [command, migration, JSON.stringify(details)],
  );
}

/** Applied migrations in name order; empty when the ledger does not exist yet. */
export async function readLedger(db: Queryable): Promise<LedgerRow[]> {
  if (!(await ledgerExists(db))) return [];
  // to_jsonb(l): a ledger from before the script column still reads (script undefined).
  const { rows } = await db.query<{
    row: { name: string; checksum: string; execution_ms: number; script?: string | null };
    applied_at: Date;
  }>(`select to_jsonb(l) - 'applied_at' as row, l.applied_at from public.${LEDGER_TABLE} l order by l.name`);
  return rows.map(({ row, applied_at }) => ({
    name: row.name,
    checksum: row.checksum,
    appliedAt: applied_at,
    executionMs: row.execution_ms,
    script: row.script ?? null,
  }));
}

export async function recordApplied(
  db: Queryable,
  name: string,
  checksum: string,
  executionMs: number,
  script: string,
): Promise<void> {
  await db.query(
    `insert into public.${LEDGER_TABLE} (name, checksum, execution_ms, script) values ($1, $2, $3, $4)`,
    [name, checksum, Math.round(executionMs), script],
  );
}

export async function updateChecksum(db: Queryable, name: string, checksum: string, script: string) {
  await db.query(`update public.${LEDGER_TABLE} set checksum = $2, script = $3 where name = $1`, [
    name,
    checksum,
    script,
  ]);
}

export async function removeApplied(db: Queryable, name: string): Promise<void> {
  await db.query(`delete from public.${LEDGER_TABLE} where name = $1`, [name]);
}
