-- shares.expires_at has been in the schema since the first migration and nothing ever set or
-- read it: the API has no expiry for shares with people and groups (issue 20 gives expiry to
-- public links only, share_links.expires_at). Honouring it would not fit document_access
-- (2026-12-04T15-45-00): rows are kept by triggers on changes, and the passing of time is
-- not a change, so every read would need a clock check or a sweeper would lag behind the
-- expiry. A column that looks like a rule but is not enforced misleads, so it goes; an
-- expiry for shares, when asked for, comes back with its enforcement.

-- migrate:up

alter table "shares" drop column "expires_at";

-- migrate:down

alter table "shares" add column "expires_at" timestamptz null;
