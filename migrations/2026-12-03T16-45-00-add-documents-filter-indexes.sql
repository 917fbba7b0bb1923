-- The DocumentFilter of `documents` and `search` (#19.7): MIME type and text source each get
-- an index led by the owner, so a filtered search intersects them with the search vector's
-- GIN index (a bitmap AND) instead of ranking every match of a broad query and throwing
-- most away. Folder, date and topic already have theirs (documents_folder_id_index,
-- documents_user_id_created_at_id_index, document_topics_topic_id_index).
-- Built concurrently: documents is the big table, and a plain build would block uploads
-- for as long as it takes. Hence no transaction; a build that failed half-way leaves an
-- invalid index behind, so each is dropped first and the file can simply run again.
-- migrate: no-transaction

-- migrate:up

drop index concurrently if exists "documents_user_id_mime_type_index";
create index concurrently "documents_user_id_mime_type_index" on "documents" ("user_id", "mime_type");
drop index concurrently if exists "documents_user_id_text_source_index";
create index concurrently "documents_user_id_text_source_index" on "documents" ("user_id", "text_source");

-- migrate:down

drop index concurrently if exists "documents_user_id_text_source_index";
drop index concurrently if exists "documents_user_id_mime_type_index";
