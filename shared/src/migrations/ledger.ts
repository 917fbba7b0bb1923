import type { Queryable } from './connection.ts';

/** The bookkeeping table; owned by the migration role, never an entity. */
export const LEDGER_TABLE = 'schema_migrations';

export interface LedgerRow {
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly executionMs: number;
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
export async function ensureLedger(db: Queryable): Promise<void> {
  if (await ledgerExists(db)) return;
  await db.query(`
    create table public.${LEDGER_TABLE} (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now(),
      execution_ms integer not null
    );
    do $$
    declare grantee text;
    begin
      for grantee in
        select distinct g.grantee from information_schema.role_table_grants g
        where g.table_schema = 'public' and g.table_name = '${LEDGER_TABLE}' and g.grantee <> current_user
      loop
        execute format('revoke insert, update, delete, truncate on public.${LEDGER_TABLE} from %s',
          case when grantee = 'PUBLIC' then 'public' else quote_ident(grantee) end);
      end loop;
    end $$;
  `);
}

/** Applied migrations in name order; empty when the ledger does not exist yet. */
export async function readLedger(db: Queryable): Promise<LedgerRow[]> {
  if (!(await ledgerExists(db))) return [];
  const { rows } = await db.query<{ name: string; checksum: string; applied_at: Date; execution_ms: number }>(
    `select name, checksum, applied_at, execution_ms from public.${LEDGER_TABLE} order by name`,
  );
  return rows.map((row) => ({
    name: row.name,
    checksum: row.checksum,
    appliedAt: row.applied_at,
    executionMs: row.execution_ms,
  }));
}

export async function recordApplied(
  db: Queryable,
  name: string,
  checksum: string,
  executionMs: number,
): Promise<void> {
  await db.query(`insert into public.${LEDGER_TABLE} (name, checksum, execution_ms) values ($1, $2, $3)`, [
    name,
    checksum,
    Math.round(executionMs),
  ]);
}

export async function removeApplied(db: Queryable, name: string): Promise<void> {
  await db.query(`delete from public.${LEDGER_TABLE} where name = $1`, [name]);
}
