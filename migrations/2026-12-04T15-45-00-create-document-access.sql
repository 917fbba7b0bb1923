-- Who may read which document besides its owner, kept by the database (issue 20's bench row,
-- docs/adr/0018-sharing.md). Until now "shared with me" was computed per query: a union of
-- the viewer's shares and their groups' shares, plus a walk down every shared folder tree,
-- then every granted document looked up to sort by date. document_access holds the result:
-- one row per recipient, document and the share that grants it (group_id: the group it came
-- through, null for a share made with the user), with the document's created_at, so that
-- "shared with me, newest first" is one walk of (user_id, created_at, document_id).
--
-- Kept true in the same transaction as the change that alters it:
-- * removals follow foreign keys: a share revoked or deleted with its group or folder
--   (share_id), a document deleted (document_id), a user deleted (user_id, and their
--   memberships); a member removed from a group by the trigger on group_members.
-- * additions by triggers: a share made or changed (every member of a group, every document
--   in a folder and below it), a member added, a document created in or moved into a folder
--   (its ancestors' shares), a folder moved (every document below it, from scratch).
-- * ownership wins: no row for the document's owner, even when a group gives them their own.
-- The trigger functions are security definer (the owner's rights): the runtime role only
-- reads the table, so nothing but these rules can write it. Each takes a transaction-level
-- advisory lock on the owner of what changes and on the groups involved, so that a share
-- and a concurrent member, document or folder change cannot each miss the other's
-- uncommitted rows (a removed member keeping a row written meanwhile, an added one missing it).
-- Folder visibility (folderVisibleTo) still walks the tree per query: folders are few.

-- migrate:up

create table "document_access" (
  "share_id" uuid not null,
  "user_id" uuid not null,
  "document_id" uuid not null,
  "group_id" uuid null,
  "permission" text not null,
  "created_at" timestamptz not null,
  constraint "document_access_pkey" primary key ("share_id", "user_id", "document_id"),
  constraint "document_access_share_id_foreign" foreign key ("share_id")
    references "shares" ("id") on delete cascade,
  constraint "document_access_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "document_access_document_id_foreign" foreign key ("document_id")
    references "documents" ("id") on delete cascade,
  constraint "document_access_group_id_foreign" foreign key ("group_id")
    references "groups" ("id") on delete cascade,
  constraint "document_access_permission_check" check ("permission" in ('READ', 'WRITE'))
);
-- permission rides along so that a page of "shared with me" and its roles come from the index alone.
create index "document_access_user_id_created_at_document_id_index"
  on "document_access" ("user_id", "created_at", "document_id") include ("permission");
create index "document_access_document_id_user_id_index" on "document_access" ("document_id", "user_id");

-- A share's recipients: its user, or every member of its group (with the group).
create function "document_access_recipients"("p_user" uuid, "p_group" uuid)
  returns table ("user_id" uuid, "group_id" uuid)
  language sql stable
  as $$
    select p_user, null::uuid where p_user is not null
    union all
    select gm.user_id, gm.group_id from public.group_members gm where gm.group_id = p_group
  $$;

-- The documents a share covers: its document, or every document in its folder and below
-- (a document counts when its owner owns the folder that holds it).
create function "document_access_targets"("p_document" uuid, "p_folder" uuid)
  returns table ("document_id" uuid, "owner_id" uuid, "created_at" timestamptz)
  language sql stable
  as $$
    select d.id, d.user_id, d.created_at from public.documents d where d.id = p_document
    union all
    (with recursive tree(id, owner_id) as (
       select f.id, f.user_id from public.folders f where f.id = p_folder
       union
       select child.id, child.user_id from public.folders child join tree on child.parent_id = tree.id)
     select d.id, d.user_id, d.created_at from tree join public.documents d
         on d.folder_id = tree.id and d.user_id = tree.owner_id)
  $$;

-- Serialises the writers that could each miss the other's rows (see the header).
create function "document_access_lock"("p_key" uuid)
  returns void
  language sql volatile
  as $$ select pg_advisory_xact_lock(hashtextextended('document_access ' || p_key::text, 0)) $$;

-- The shares that reach a document: its own, and those of every folder above it (when its
-- owner owns the folder that holds it).
create function "document_access_reaching"("p_document" uuid, "p_folder" uuid, "p_owner" uuid)
  returns setof public.shares
  language sql stable
  as $$
    select s.* from public.shares s where s.document_id = p_document
    union all
    (with recursive up(id, parent_id) as (
       select f.id, f.parent_id from public.folders f where f.id = p_folder and f.user_id = p_owner
       union
       select f.id, f.parent_id from public.folders f join up on f.id = up.parent_id)
     select s.* from up join public.shares s on s.folder_id = up.id)
  $$;

-- Rewrites the rows of these documents from the shares that reach them. The groups of those
-- shares are locked first, so a member removed (or added) concurrently is seen once its
-- transaction commits, instead of its removal missing the rows written here.
create function "document_access_rederive"("p_documents" uuid[])
  returns void
  language sql volatile
  as $$
    select public.document_access_lock(g.id) from (
      select distinct s.grantee_group_id as id
        from public.documents d
        cross join lateral public.document_access_reaching(d.id, d.folder_id, d.user_id) s
       where d.id = any(p_documents) and s.grantee_group_id is not null
       order by 1) g;
    delete from public.document_access a where a.document_id = any(p_documents);
    insert into public.document_access (share_id, user_id, document_id, group_id, permission, created_at)
    select s.id, r.user_id, d.id, r.group_id, s.permission, d.created_at
      from public.documents d
      cross join lateral public.document_access_reaching(d.id, d.folder_id, d.user_id) s
      cross join lateral public.document_access_recipients(s.grantee_user_id, s.grantee_group_id) r
     where d.id = any(p_documents) and r.user_id is distinct from d.user_id
    on conflict do nothing;
  $$;

create function "document_access_on_share"() returns trigger
  language plpgsql security definer
  set search_path = public, pg_temp
  as $$
    begin
      perform document_access_lock(coalesce(
        (select d.user_id from documents d where d.id = new.document_id),
        (select f.user_id from folders f where f.id = new.folder_id)));
      if new.grantee_group_id is not null then
        perform document_access_lock(new.grantee_group_id);
      end if;
      if tg_op = 'UPDATE' then
        if (old.document_id, old.folder_id, old.grantee_user_id, old.grantee_group_id)
           is not distinct from (new.document_id, new.folder_id, new.grantee_user_id, new.grantee_group_id) then
          update document_access set permission = new.permission
           where share_id = new.id and permission <> new.permission;
          return null;
        end if;
        delete from document_access where share_id = old.id;
      end if;
      insert into document_access (share_id, user_id, document_id, group_id, permission, created_at)
      select new.id, r.user_id, t.document_id, r.group_id, new.permission, t.created_at
        from document_access_recipients(new.grantee_user_id, new.grantee_group_id) r
        cross join document_access_targets(new.document_id, new.folder_id) t
       where r.user_id is distinct from t.owner_id
      on conflict do nothing;
      return null;
    end
  $$;

create function "document_access_on_member"() returns trigger
  language plpgsql security definer
  set search_path = public, pg_temp
  as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        perform document_access_lock(old.group_id);
        delete from document_access where user_id = old.user_id and group_id = old.group_id;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform document_access_lock(new.group_id);
        insert into document_access (share_id, user_id, document_id, group_id, permission, created_at)
        select s.id, new.user_id, t.document_id, new.group_id, s.permission, t.created_at
          from shares s
          cross join lateral document_access_targets(s.document_id, s.folder_id) t
         where s.grantee_group_id = new.group_id and t.owner_id is distinct from new.user_id
        on conflict do nothing;
      end if;
      return null;
    end
  $$;

create function "document_access_on_document"() returns trigger
  language plpgsql security definer
  set search_path = public, pg_temp
  as $$
    begin
      if tg_op = 'UPDATE' and old.user_id is distinct from new.user_id then
        perform document_access_lock(old.user_id);
      end if;
      perform document_access_lock(new.user_id);
      perform document_access_rederive(array[new.id]);
      return null;
    end
  $$;

create function "document_access_on_folder"() returns trigger
  language plpgsql security definer
  set search_path = public, pg_temp
  as $$
    begin
      if old.user_id is distinct from new.user_id then
        perform document_access_lock(old.user_id);
      end if;
      perform document_access_lock(new.user_id);
      perform document_access_rederive(array(
        with recursive tree(id) as (
          select new.id
          union
          select child.id from folders child join tree on child.parent_id = tree.id)
        select d.id from tree join documents d on d.folder_id = tree.id));
      return null;
    end
  $$;

create trigger "document_access_on_share"
  after insert or update on "shares"
  for each row execute function "document_access_on_share"();
create trigger "document_access_on_member"
  after insert or update or delete on "group_members"
  for each row execute function "document_access_on_member"();
-- A document uploaded outside any folder has nothing to inherit: no call at all.
create trigger "document_access_on_document_insert"
  after insert on "documents"
  for each row when (new.folder_id is not null)
  execute function "document_access_on_document"();
create trigger "document_access_on_document_update"
  after update of "folder_id", "user_id", "created_at" on "documents"
  for each row when (old.folder_id is distinct from new.folder_id or old.user_id is distinct from new.user_id
                     or old.created_at is distinct from new.created_at)
  execute function "document_access_on_document"();
create trigger "document_access_on_folder"
  after update of "parent_id", "user_id" on "folders"
  for each row when (old.parent_id is distinct from new.parent_id or old.user_id is distinct from new.user_id)
  execute function "document_access_on_folder"();

-- The helpers run inside the security definer triggers; nobody else needs to call them.
revoke all on function "document_access_recipients"(uuid, uuid) from public;
revoke all on function "document_access_targets"(uuid, uuid) from public;
revoke all on function "document_access_lock"(uuid) from public;
revoke all on function "document_access_reaching"(uuid, uuid, uuid) from public;
revoke all on function "document_access_rederive"(uuid[]) from public;

-- The runtime role reads; only the triggers above (with the owner's rights) write.
do $$
declare
  statement text;
begin
  for statement in
    select format('revoke insert, update, delete, truncate on table public.document_access from %s',
                  case when a.grantee = 0 then 'public' else quote_ident(g.rolname) end)
      from pg_class c
      cross join lateral (select distinct e.grantee from aclexplode(c.relacl) e) a
      left join pg_roles g on g.oid = a.grantee
     where c.oid = to_regclass('public.document_access') and a.grantee <> c.relowner
  loop
    execute statement;
  end loop;
end $$;

-- Every share that exists now.
insert into "document_access" ("share_id", "user_id", "document_id", "group_id", "permission", "created_at")
select s.id, r.user_id, t.document_id, r.group_id, s.permission, t.created_at
  from "shares" s
  cross join lateral document_access_recipients(s.grantee_user_id, s.grantee_group_id) r
  cross join lateral document_access_targets(s.document_id, s.folder_id) t
 where r.user_id is distinct from t.owner_id
on conflict do nothing;

-- migrate:down

drop trigger "document_access_on_folder" on "folders";
drop trigger "document_access_on_document_update" on "documents";
drop trigger "document_access_on_document_insert" on "documents";
drop trigger "document_access_on_member" on "group_members";
drop trigger "document_access_on_share" on "shares";
drop function "document_access_on_folder"();
drop function "document_access_on_document"();
drop function "document_access_on_member"();
drop function "document_access_on_share"();
drop function "document_access_rederive"(uuid[]);
drop function "document_access_reaching"(uuid, uuid, uuid);
drop function "document_access_lock"(uuid);
drop function "document_access_targets"(uuid, uuid);
drop function "document_access_recipients"(uuid, uuid);
drop table "document_access";
