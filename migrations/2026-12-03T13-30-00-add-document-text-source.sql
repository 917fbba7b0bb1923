-- How a document's text was obtained (#18): from its own text (a PDF's text layer, DOCX,
-- plain text), by OCR of scanned pages or photos, both (a mixed PDF), or not at all; with
-- the pages of each kind, the pages skipped (past OCR_MAX_PAGES, a page timeout, no OCR
-- engine) and a sentence saying why. Null until the worker has read the document.

-- migrate:up

alter table "documents"
  add column "text_source" text null,
  add column "text_layer_pages" integer null,
  add column "ocr_pages" integer null,
  add column "skipped_pages" integer null,
  add column "text_note" text null,
  add constraint "documents_text_source_check"
    check ("text_source" in ('TEXT', 'OCR', 'MIXED', 'NONE')),
  add constraint "documents_text_pages_check"
    check ("text_layer_pages" >= 0 and "ocr_pages" >= 0 and "skipped_pages" >= 0);

-- migrate:down

alter table "documents"
  drop constraint "documents_text_pages_check",
  drop constraint "documents_text_source_check",
  drop column "text_note",
  drop column "skipped_pages",
  drop column "ocr_pages",
  drop column "text_layer_pages",
  drop column "text_source";
