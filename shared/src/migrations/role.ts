import type pg from 'pg';
import { MigrationError } from './errors.ts';

/** The connected role is not the one that must own what migrations create; nothing was run. */
export class MigrationRoleError extends MigrationError {
  readonly role: string;
  readonly ownerRole: string;
  constructor(role: string, ownerRole: string, superuser: boolean) {
    super(
      `refusing to migrate as ${superuser ? 'superuser ' : 'role '}"${role}": tables belong to the role ` +
        `that creates them, and the runtime role only gets rights on tables created by "${ownerRole}", ` +
        `the owner of the schema. Connect as "${ownerRole}" (DATABASE_MIGRATE_URL)`,
    );
    this.name = 'MigrationRoleError';
    this.role = role;
    this.ownerRole = ownerRole;
  }
}

/**
 * Refuses a superuser and any role but the schema's owner. On PostgreSQL 15+ `public`
 * belongs to pg_database_owner, which stands for the database's owner.
 */
export async function assertOwnerRole(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ role: string; superuser: boolean; owner: string }>(
    `select current_user as role, r.rolsuper as superuser,
            case when n.nspowner = 'pg_database_owner'::regrole then d.datdba::regrole::text
                 else n.nspowner::regrole::text end as owner
       from pg_roles r, pg_namespace n, pg_database d
      where r.rolname = current_user
        and n.nspname = coalesce(current_schema(), 'public')
        and d.datname = current_database()`,
  );
  const row = rows[0];
  if (!row) throw new MigrationError('cannot tell which role owns the schema: no schema on the search_path');
  const owner = row.owner.replace(/^"|"$/g, '');
  if (row.superuser || row.role !== owner) throw new MigrationRoleError(row.role, owner, row.superuser);
}
