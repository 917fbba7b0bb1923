-- Deleting an account (deleteAccount, deleteUser):
-- * audit_log keeps the actor of a deleted user. Its foreign key set actor_id null on
--   delete, so the log could no longer say who did what: the key goes (an append-only log
--   outlives the rows it names, as `target` already does), and actor_deleted marks the
--   lines whose actor was deleted since.
-- * object_removals: objects (or every object under a key prefix) still to be removed from
--   the bucket. Rows are inserted in the transaction that deletes their database rows, then
--   removed once the store confirms; the sweeper retries the rest, so a store that fails
--   during a deletion leaves no orphan for longer than a sweep interval after it returns.

-- migrate:up

alter table "audit_log" drop constraint "audit_log_actor_id_foreign";
alter table "audit_log" add column "actor_deleted" boolean not null default false;

create table "object_removals" (
  "id" uuid not null default gen_random_uuid(),
  "key" text not null,
  "prefix" boolean not null default false,
  "reason" text not null,
  "attempts" integer not null default 0,
  "last_error" text null,
  "created_at" timestamptz not null default now(),
  constraint "object_removals_pkey" primary key ("id"),
  constraint "object_removals_key_not_blank_check" check (key <> ''),
  constraint "object_removals_attempts_check" check (attempts >= 0)
);
create index "object_removals_created_at_index" on "object_removals" ("created_at");

-- migrate:down

drop table "object_removals";
alter table "audit_log" drop column "actor_deleted";
-- Lines of deleted actors name users that no longer exist: they lose the name, as the
-- original `on delete set null` would have done.
update "audit_log" a set "actor_id" = null
  where "actor_id" is not null and not exists (select 1 from "users" u where u.id = a.actor_id);
alter table "audit_log" add constraint "audit_log_actor_id_foreign" foreign key ("actor_id")
  references "users" ("id") on delete set null;
