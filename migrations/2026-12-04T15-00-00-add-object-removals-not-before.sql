-- object_removals.not_before: a removal the sweeper must not carry out yet. The worker
-- queues the removal of a thumbnail before it stores it, due an hour later, and takes it
-- off the queue in the transaction that records the thumbnail on its document. A worker
-- that dies in between (killed, out of memory) leaves an object no row names; the queued
-- removal takes it once due, so nothing is orphaned. Removals of deleted rows are due at
-- once (the default), as before.

-- migrate:up

alter table "object_removals" add column "not_before" timestamptz not null default now();
drop index "object_removals_created_at_index";
create index "object_removals_not_before_index" on "object_removals" ("not_before");

-- migrate:down

drop index "object_removals_not_before_index";
create index "object_removals_created_at_index" on "object_removals" ("created_at");
alter table "object_removals" drop column "not_before";
