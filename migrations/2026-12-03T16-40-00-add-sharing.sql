-- Sharing (issue 20, items 1-3): groups, group members and shares get written, so the
-- runtime role gets back the writes 2026-12-03T10-00-00 took from it on those tables.
-- * One share per object and grantee: sharing again changes the role (updateShare), it
--   never adds a second row that revocation would then have to find. NULLS NOT DISTINCT
--   because each row leaves one target and one grantee column null.
-- * "What is shared with me" starts from the grantee: each grantee index also holds the
--   target columns, so the visibility check (subgraphs/documents/src/sharing/visibility.ts)
--   reads them from the index alone. They replace the single-column grantee indexes.
-- permission keeps its values READ / WRITE; the API calls them VIEWER / EDITOR
-- (docs/adr/0018-sharing.md). expires_at stays unused (null) by this issue.

-- migrate:up

do $$
declare
  statement text;
begin
  for statement in
    select format('grant insert, update, delete on table public.%I to %s', r.relname,
                  case when a.grantee = 0 then 'public' else quote_ident(g.rolname) end)
      from (values ('groups'), ('group_members'), ('shares')) as r (relname)
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

create unique index "shares_target_grantee_unique"
  on "shares" ("document_id", "folder_id", "grantee_user_id", "grantee_group_id") nulls not distinct;

drop index "shares_grantee_user_id_index";
drop index "shares_grantee_group_id_index";
create index "shares_grantee_user_id_document_id_folder_id_index"
  on "shares" ("grantee_user_id", "document_id", "folder_id");
create index "shares_grantee_group_id_document_id_folder_id_index"
  on "shares" ("grantee_group_id", "document_id", "folder_id");

-- migrate:down

drop index "shares_grantee_group_id_document_id_folder_id_index";
drop index "shares_grantee_user_id_document_id_folder_id_index";
create index "shares_grantee_user_id_index" on "shares" ("grantee_user_id");
create index "shares_grantee_group_id_index" on "shares" ("grantee_group_id");
drop index "shares_target_grantee_unique";

do $$
declare
  statement text;
begin
  for statement in
    select format('revoke insert, update, delete on table public.%I from %s', r.relname,
                  case when a.grantee = 0 then 'public' else quote_ident(g.rolname) end)
      from (values ('groups'), ('group_members'), ('shares')) as r (relname)
      join pg_class c on c.oid = to_regclass(format('public.%I', r.relname))
      cross join lateral (select distinct e.grantee from aclexplode(c.relacl) e) a
      left join pg_roles g on g.oid = a.grantee
     where a.grantee <> c.relowner
  loop
    execute statement;
  end loop;
end $$;
