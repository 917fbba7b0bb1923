-- Thumbnails (issue 18, item 3): the worker renders the first page of a PDF, or the image,
-- to a small picture stored in the bucket under the document's own key prefix. The row
-- names its object so that every deletion of the document (deleteDocument, deleteFolder
-- with its documents, account deletion) removes it too; null until one is made, and for
-- documents that have none (their type has no picture, or rendering failed).
-- The key is unique like object_key: two rows never share an object, so removing one
-- document's objects cannot take another's.

-- migrate:up

alter table "documents" add column "thumbnail_key" text null;
alter table "documents" add constraint "documents_thumbnail_key_unique" unique ("thumbnail_key");

-- migrate:down

alter table "documents" drop column "thumbnail_key";
