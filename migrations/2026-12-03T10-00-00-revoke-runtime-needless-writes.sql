-- Least privilege for the runtime role (DATABASE_URL): only what the services do to each
-- table (test/integration/migrations/runtime-privileges.test.ts holds the allow-list).
-- * audit_log and deleted_accounts are append-only: the services insert and read, never
--   update or delete (a deleted user's lines keep their actor; deleted_accounts says so).
-- * users: deleted only by deleteAccount / deleteUser. refresh_tokens, quotas: no service
--   deletes their rows (they go with their user through ON DELETE CASCADE, which runs with
--   the rights of the table's owner, not of the role that deleted the user).
-- * classifier_models: inserted and pruned, never updated.
-- * groups, group_members, shares, cloud_connections: no feature writes them yet; the
--   migration that adds one grants what it needs.
-- Roles are not named (each installation names its own): the revokes apply to every role
-- the owner granted rights to, which is the runtime role. Down grants them back to every
-- role that can still read the table.

-- migrate:up

do $$
declare
  statement text;
begin
  for statement in
    select format('revoke %s on table public.%I from %s', r.privileges, r.relname,
                  case when a.grantee = 0 then 'public' else quote_ident(g.rolname) end)
      from (values
              ('audit_log', 'update, delete, truncate'),
              ('deleted_accounts', 'update, delete, truncate'),
              ('users', 'truncate'),
              ('refresh_tokens', 'delete, truncate'),
              ('quotas', 'delete, truncate'),
              ('classifier_models', 'update, truncate'),
              ('groups', 'insert, update, delete, truncate'),
              ('group_members', 'insert, update, delete, truncate'),
              ('shares', 'insert, update, delete, truncate'),
              ('cloud_connections', 'insert, update, delete, truncate')
           ) as r (relname, privileges)
      join pg_class c on c.oid = to_regclass(format('public.%I', r.relname))
      cross join lateral (select distinct e.grantee from aclexplode(c.relacl) e) a
      left join pg_roles g on g.oid = a.grantee
     where a.grantee <> c.relowner
  loop
    execute statement;
  end loop;
end $$;

-- migrate:down

do $$
declare
  statement text;
begin
  for statement in
    select format('grant %s on table public.%I to %s', r.privileges, r.relname,
                  case when a.grantee = 0 then 'public' else quote_ident(g.rolname) end)
      from (values
              ('audit_log', 'update, delete'),
              ('deleted_accounts', 'update, delete'),
              ('refresh_tokens', 'delete'),
              ('quotas', 'delete'),
              ('classifier_models', 'update'),
              ('groups', 'insert, update, delete'),
              ('group_members', 'insert, update, delete'),
              ('shares', 'insert, update, delete'),
              ('cloud_connections', 'insert, update, delete')
           ) as r (relname, privileges)
      join pg_class c on c.oid = to_regclass(format('public.%I', r.relname))
      cross join lateral (
        select distinct e.grantee from aclexplode(c.relacl) e where e.privilege_type = 'SELECT'
      ) a
      left join pg_roles g on g.oid = a.grantee
     where a.grantee <> c.relowner
  loop
    execute statement;
  end loop;
end $$;
