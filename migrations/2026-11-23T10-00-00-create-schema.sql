-- The v1 schema. Constraint and index names follow MikroORM's naming so the
-- entities in shared/src/db/entities/ diff empty against this file (a test
-- proves it). Timestamps are timestamptz; ids are uuid from gen_random_uuid().
-- Enumerations are text + CHECK rather than enum types: adding a value is a
-- plain constraint swap, usable in the same transaction.

-- migrate:up

create table "users" (
  "id" uuid not null default gen_random_uuid(),
  "email" text not null,
  "password_hash" text not null,
  "role" text not null default 'USER',
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "users_pkey" primary key ("id"),
  constraint "users_email_unique" unique ("email"),
  constraint "users_email_normalised_check" check (email = lower(btrim(email))),
  constraint "users_role_check" check ("role" in ('USER', 'ADMIN'))
);

create table "refresh_tokens" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid not null,
  "token_hash" text not null,
  "family_id" uuid not null,
  "expires_at" timestamptz not null,
  "revoked_at" timestamptz null,
  "replaced_by_id" uuid null,
  "created_at" timestamptz not null default now(),
  constraint "refresh_tokens_pkey" primary key ("id"),
  constraint "refresh_tokens_token_hash_unique" unique ("token_hash"),
  constraint "refresh_tokens_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "refresh_tokens_replaced_by_id_foreign" foreign key ("replaced_by_id")
    references "refresh_tokens" ("id") on delete set null
);
create index "refresh_tokens_user_id_index" on "refresh_tokens" ("user_id");
create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");

create table "quotas" (
  "user_id" uuid not null,
  "used_bytes" bigint not null default 0,
  "limit_bytes" bigint not null,
  "updated_at" timestamptz not null default now(),
  constraint "quotas_pkey" primary key ("user_id"),
  constraint "quotas_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "quotas_used_within_limit_check" check (used_bytes >= 0 and used_bytes <= limit_bytes)
);

create table "groups" (
  "id" uuid not null default gen_random_uuid(),
  "name" text not null,
  "created_at" timestamptz not null default now(),
  constraint "groups_pkey" primary key ("id"),
  constraint "groups_name_unique" unique ("name"),
  constraint "groups_name_not_blank_check" check (btrim(name) <> '')
);

create table "group_members" (
  "group_id" uuid not null,
  "user_id" uuid not null,
  "created_at" timestamptz not null default now(),
  constraint "group_members_pkey" primary key ("group_id", "user_id"),
  constraint "group_members_group_id_foreign" foreign key ("group_id")
    references "groups" ("id") on delete cascade,
  constraint "group_members_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade
);
create index "group_members_user_id_index" on "group_members" ("user_id");

-- user_id null = the anonymous vault (no-auth mode), as for documents and topics.
create table "folders" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid null,
  "parent_id" uuid null,
  "name" text not null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "folders_pkey" primary key ("id"),
  constraint "folders_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "folders_parent_id_foreign" foreign key ("parent_id")
    references "folders" ("id") on delete cascade,
  constraint "folders_name_not_blank_check" check (btrim(name) <> ''),
  constraint "folders_not_own_parent_check" check (parent_id <> id)
);
create index "folders_parent_id_index" on "folders" ("parent_id");
create unique index "folders_user_id_parent_id_name_unique"
  on "folders" ("user_id", "parent_id", "name") nulls not distinct;

-- Deleting a user deletes their rows; the objects are then orphans, which the
-- object sweeper removes. set null would hand private documents to the
-- anonymous vault, restrict would make account deletion a multi-step chore.
create table "documents" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid null,
  "folder_id" uuid null,
  "title" text not null,
  "original_filename" text not null,
  "declared_mime_type" text null,
  "mime_type" text not null,
  "size_bytes" bigint not null,
  "sha256" text not null,
  "object_key" text not null,
  "status" text not null default 'UPLOADED',
  "failure_reason" text null,
  "extracted_text" text null,
  -- 'simple': language-neutral (see SEARCH_CONFIG in entities/documents.ts);
  -- the text is capped because a tsvector may not exceed 1 MB.
  "search_vector" tsvector generated always as (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', left(coalesce(extracted_text, ''), 500000)), 'B')
  ) stored not null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "documents_pkey" primary key ("id"),
  constraint "documents_object_key_unique" unique ("object_key"),
  constraint "documents_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "documents_folder_id_foreign" foreign key ("folder_id")
    references "folders" ("id") on delete set null,
  constraint "documents_size_bytes_check" check (size_bytes >= 0),
  constraint "documents_sha256_check" check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint "documents_status_check"
    check ("status" in ('UPLOADED', 'PROCESSING', 'CLASSIFIED', 'FAILED'))
);
-- Keyset paging: order by (created_at, id), globally and per owner.
create index "documents_created_at_id_index" on "documents" ("created_at", "id");
create index "documents_user_id_created_at_id_index" on "documents" ("user_id", "created_at", "id");
-- The sweeper: rows stuck in a status since before some time.
create index "documents_status_updated_at_index" on "documents" ("status", "updated_at");
create index "documents_folder_id_index" on "documents" ("folder_id");
create index "documents_search_vector_index" on "documents" using gin ("search_vector");
-- Duplicate detection; nulls not distinct so two anonymous uploads of the same
-- bytes collide too, and `on conflict (user_id, sha256)` covers both cases.
create unique index "documents_user_id_sha256_unique"
  on "documents" ("user_id", "sha256") nulls not distinct;

create table "topics" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid null,
  "name" text not null,
  "match_mode" text not null default 'AUTO',
  "pattern" text null,
  "case_sensitive" boolean not null default false,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "topics_pkey" primary key ("id"),
  constraint "topics_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "topics_name_not_blank_check" check (btrim(name) <> ''),
  constraint "topics_match_mode_check"
    check ("match_mode" in ('NONE', 'ANY', 'ALL', 'EXACT', 'REGEX', 'FUZZY', 'AUTO'))
);
create unique index "topics_user_id_name_unique" on "topics" ("user_id", "name") nulls not distinct;

create table "document_topics" (
  "document_id" uuid not null,
  "topic_id" uuid not null,
  "confidence" double precision not null,
  "source" text not null,
  "created_at" timestamptz not null default now(),
  constraint "document_topics_pkey" primary key ("document_id", "topic_id"),
  constraint "document_topics_document_id_foreign" foreign key ("document_id")
    references "documents" ("id") on delete cascade,
  constraint "document_topics_topic_id_foreign" foreign key ("topic_id")
    references "topics" ("id") on delete cascade,
  constraint "document_topics_confidence_check" check (confidence >= '0' and confidence <= '1'),
  constraint "document_topics_source_check" check ("source" in ('RULE', 'AUTO', 'MANUAL'))
);
create index "document_topics_topic_id_index" on "document_topics" ("topic_id");

create table "shares" (
  "id" uuid not null default gen_random_uuid(),
  "document_id" uuid null,
  "folder_id" uuid null,
  "grantee_user_id" uuid null,
  "grantee_group_id" uuid null,
  "permission" text not null default 'READ',
  "created_by_id" uuid null,
  "expires_at" timestamptz null,
  "created_at" timestamptz not null default now(),
  constraint "shares_pkey" primary key ("id"),
  constraint "shares_document_id_foreign" foreign key ("document_id")
    references "documents" ("id") on delete cascade,
  constraint "shares_folder_id_foreign" foreign key ("folder_id")
    references "folders" ("id") on delete cascade,
  constraint "shares_grantee_user_id_foreign" foreign key ("grantee_user_id")
    references "users" ("id") on delete cascade,
  constraint "shares_grantee_group_id_foreign" foreign key ("grantee_group_id")
    references "groups" ("id") on delete cascade,
  constraint "shares_created_by_id_foreign" foreign key ("created_by_id")
    references "users" ("id") on delete set null,
  constraint "shares_one_target_check" check (num_nonnulls(document_id, folder_id) = 1),
  constraint "shares_one_grantee_check" check (num_nonnulls(grantee_user_id, grantee_group_id) = 1),
  constraint "shares_permission_check" check ("permission" in ('READ', 'WRITE'))
);
create index "shares_document_id_index" on "shares" ("document_id");
create index "shares_folder_id_index" on "shares" ("folder_id");
create index "shares_grantee_user_id_index" on "shares" ("grantee_user_id");
create index "shares_grantee_group_id_index" on "shares" ("grantee_group_id");

-- actor set null: deleting a user must not erase what they did.
create table "audit_log" (
  "id" uuid not null default gen_random_uuid(),
  "actor_id" uuid null,
  "action" text not null,
  "target" text null,
  "request_id" text null,
  "ip" inet null,
  "at" timestamptz not null default now(),
  "details" jsonb not null default '{}',
  constraint "audit_log_pkey" primary key ("id"),
  constraint "audit_log_actor_id_foreign" foreign key ("actor_id")
    references "users" ("id") on delete set null
);
create index "audit_log_at_index" on "audit_log" ("at");
create index "audit_log_actor_id_at_index" on "audit_log" ("actor_id", "at");
create index "audit_log_target_index" on "audit_log" ("target");

create table "cloud_connections" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid not null,
  "provider" text not null,
  "display_name" text not null,
  "credentials_encrypted" bytea not null,
  "status" text not null default 'ACTIVE',
  "last_error" text null,
  "last_synced_at" timestamptz null,
  "created_at" timestamptz not null default now(),
  "updated_at" timestamptz not null default now(),
  constraint "cloud_connections_pkey" primary key ("id"),
  constraint "cloud_connections_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "cloud_connections_provider_not_blank_check" check (btrim(provider) <> ''),
  constraint "cloud_connections_status_check" check ("status" in ('ACTIVE', 'REVOKED', 'ERROR'))
);
create index "cloud_connections_user_id_index" on "cloud_connections" ("user_id");

create table "upload_tickets" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid null,
  "object_key" text not null,
  "filename" text not null,
  "declared_content_type" text not null,
  "max_size_bytes" bigint not null,
  "title" text null,
  "folder_id" uuid null,
  "expires_at" timestamptz not null,
  "completed_document_id" uuid null,
  "created_at" timestamptz not null default now(),
  constraint "upload_tickets_pkey" primary key ("id"),
  constraint "upload_tickets_object_key_unique" unique ("object_key"),
  constraint "upload_tickets_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "upload_tickets_folder_id_foreign" foreign key ("folder_id")
    references "folders" ("id") on delete set null,
  constraint "upload_tickets_completed_document_id_foreign" foreign key ("completed_document_id")
    references "documents" ("id") on delete set null,
  constraint "upload_tickets_max_size_bytes_check" check (max_size_bytes > 0)
);
create index "upload_tickets_user_id_index" on "upload_tickets" ("user_id");
create index "upload_tickets_expires_at_index" on "upload_tickets" ("expires_at");

create table "classifier_models" (
  "id" uuid not null default gen_random_uuid(),
  "user_id" uuid null,
  "model" jsonb not null,
  "trained_at" timestamptz not null default now(),
  "documents_used" integer not null,
  "topics" integer not null,
  "size_bytes" integer not null,
  constraint "classifier_models_pkey" primary key ("id"),
  constraint "classifier_models_user_id_foreign" foreign key ("user_id")
    references "users" ("id") on delete cascade,
  constraint "classifier_models_counts_check"
    check (documents_used >= 0 and topics >= 0 and size_bytes >= 0)
);
create index "classifier_models_user_id_trained_at_index"
  on "classifier_models" ("user_id", "trained_at");

-- migrate:down

drop table "classifier_models";
drop table "upload_tickets";
drop table "cloud_connections";
drop table "audit_log";
drop table "shares";
drop table "document_topics";
drop table "topics";
drop table "documents";
drop table "folders";
drop table "group_members";
drop table "groups";
drop table "quotas";
drop table "refresh_tokens";
drop table "users";
