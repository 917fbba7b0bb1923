-- Public share links (issue 20, item 4): a document's owner hands out a link that works
-- without an account until it expires, is revoked, or has been used max_downloads times.
-- Only the SHA-256 of the link's token is kept (the token has 256 random bits, so a plain
-- hash suffices and can be looked up by its unique index); the optional password is an
-- argon2 hash like an account's. Deleting the document deletes its links (cascade).
-- Revocation sets revoked_at instead of deleting the row, so the owner still sees the
-- link and its download count. The runtime role never deletes rows here (they go with
-- their document through the cascade, which runs with the owner's rights): no DELETE.
-- docs/adr/0019-public-share-links.md.

-- migrate:up

create table "share_links" (
  "id" uuid not null default gen_random_uuid(),
  "document_id" uuid not null,
  "token_hash" text not null,
  "password_hash" text null,
  "expires_at" timestamptz not null,
  "max_downloads" int null,
  "download_count" int not null default 0,
  "revoked_at" timestamptz null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "share_links_pkey" primary key ("id"),
  constraint "share_links_token_hash_unique" unique ("token_hash"),
  constraint "share_links_document_id_foreign" foreign key ("document_id")
    references "documents" ("id") on delete cascade,
  constraint "share_links_max_downloads_check" check (max_downloads is null or max_downloads >= 1),
  constraint "share_links_download_count_check" check (download_count >= 0)
);
create index "share_links_document_id_index" on "share_links" ("document_id");

do $$
declare
  statement text;
begin
  for statement in
    select format('revoke delete, truncate on table public.share_links from %s',
                  case when a.grantee = 0 then 'public' else quote_ident(g.rolname) end)
      from pg_class c
      cross join lateral (select distinct e.grantee from aclexplode(c.relacl) e) a
      left join pg_roles g on g.oid = a.grantee
     where c.oid = to_regclass('public.share_links') and a.grantee <> c.relowner
  loop
    execute statement;
  end loop;
end $$;

-- migrate:down

drop table "share_links";
