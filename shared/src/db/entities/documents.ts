import { defineEntity, p, type Opt } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.ts';
import { Folder } from './folders.ts';
import { User } from './users.ts';

export const DOCUMENT_STATUSES = ['UPLOADED', 'PROCESSING', 'CLASSIFIED', 'FAILED'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** How a document's text was obtained: its own text, OCR, both (page by page), or none. */
export const TEXT_SOURCES = ['TEXT', 'OCR', 'MIXED', 'NONE'] as const;
export type TextSourceKind = (typeof TEXT_SOURCES)[number];

/**
 * Languages with their own text search configuration (stemming, stop words). A document's
 * language is detected by PostgreSQL when its title or text is written (the share of stop
 * words, see migrations/2026-12-03T17-00-00-add-documents-language-and-rank-vector.sql);
 * 'simple' (no stemming, no stop words) is the fallback for short texts, identifiers and
 * every other language. Queries are parsed in each of them and OR-ed, so they match across.
 */
export const SEARCH_LANGUAGES = ['english', 'german', 'simple'] as const;
export type SearchLanguage = (typeof SEARCH_LANGUAGES)[number];

/**
 * Extracted text is capped before indexing: a tsvector may not exceed 1 MB, and an
 * oversized document must still store (and be found by its title and first pages)
 * instead of failing the update.
 */
export const SEARCH_TEXT_LIMIT = 500_000;

/** document_search_terms keeps a document's lexemes that weigh at least this much in it
 * (title occurrence 1.0, text occurrence 0.4; docs/adr/0016). */
export const SEARCH_TERM_MIN_SCORE = 2.0;

/** Search reads at most this many heaviest documents per query lexeme from
 * document_search_terms (one index range each)... */
export const SEARCH_HEAD_SCAN = 500;

/** ...and ranks exactly, first, this many of them: those holding most of the query's lexemes,
 * then the heaviest; every other match follows (docs/adr/0016)... */
export const SEARCH_HEAD = 50;

/** ...or, when every word of the query must match (`a b`, a phrase), reads this many per
 * lexeme and orders the candidates holding most of the query's lexemes by their lightest
 * one: ts_rank_cd of `a & b` counts places where both words stand close, which a document
 * heavy in one word only does not have, and such documents lie deeper in each word's range
 * (docs/adr/0022). */
export const SEARCH_HEAD_SCAN_ALL_WORDS = 2_000;

/** ...of which this many (those with the highest ids) are ranked exactly, the rest by id. */
export const SEARCH_TAIL_RANKED = 200;

/** Search counts matches up to this many; past it (or when the planner estimates more than
 * twice this) the total is the planner's estimate, marked as one: counting means visiting
 * every match's row (docs/adr/0016). */
export const SEARCH_EXACT_COUNT_LIMIT = 1_000;

const config = `docuvault_search_config(language)`;
const weighted = (textLimit: number) =>
  `setweight(to_tsvector(${config}, coalesce(title, '')), 'A') || ` +
  `setweight(to_tsvector(${config}, left(coalesce(extracted_text, ''), ${textLimit})), 'B')`;

export const DocumentSchema = defineEntity({
  name: 'Document',
  tableName: 'documents',
  properties: {
    id: uuidPk(),
    // Null: uploaded anonymously (no-auth mode).
    user: () => p.manyToOne(User).nullable().deleteRule('cascade'),
    folder: () => p.manyToOne(Folder).nullable().deleteRule('set null').index(),
    title: p.text(),
    originalFilename: p.text(),
    declaredMimeType: p.text().nullable(),
    // Sniffed from the first bytes; never trusted from the client.
    mimeType: p.text(),
    sizeBytes: p.bigint('number'),
    sha256: p.text(),
    objectKey: p.text().unique(),
    // The first page (or the image) rendered small by the worker; under objectKey's prefix.
    thumbnailKey: p.text().nullable().unique(),
    status: p.enum(DOCUMENT_STATUSES).default('UPLOADED'),
    failureReason: p.text().nullable(),
    extractedText: p.text().nullable().lazy(),
    // How the text was obtained (null until the worker has read it); see TEXT_SOURCES.
    textSource: p.enum(TEXT_SOURCES).nullable(),
    textLayerPages: p.integer().nullable(),
    ocrPages: p.integer().nullable(),
    skippedPages: p.integer().nullable(),
    textNote: p.text().nullable(),
    // Set by a trigger from title and text (Opt: never passed to create); see SEARCH_LANGUAGES.
    language: p.enum(SEARCH_LANGUAGES).$type<Opt<SearchLanguage>>().default('simple'),
    // Written by PostgreSQL only (Opt: never passed to create); queried with tsQuery.
    searchVector: p
      .type('tsvector')
      .$type<Opt<string>>()
      .generated(`(${weighted(SEARCH_TEXT_LIMIT)}) stored`)
      .hidden()
      .lazy(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  checks: [
    { name: 'documents_size_bytes_check', expression: 'size_bytes >= 0' },
    { name: 'documents_sha256_check', expression: "sha256 ~ '^[0-9a-f]{64}$'" },
    {
      name: 'documents_text_pages_check',
      expression: 'text_layer_pages >= 0 and ocr_pages >= 0 and skipped_pages >= 0',
    },
  ],
  indexes: [
    { name: 'documents_created_at_id_index', properties: ['createdAt', 'id'] },
    { name: 'documents_user_id_created_at_id_index', properties: ['user', 'createdAt', 'id'] },
    { name: 'documents_status_updated_at_index', properties: ['status', 'updatedAt'] },
    { name: 'documents_search_vector_index', properties: ['searchVector'], type: 'gin' },
    // The DocumentFilter's MIME type and text source, within one vault (search-filters.repository.ts).
    { name: 'documents_user_id_mime_type_index', properties: ['user', 'mimeType'] },
    { name: 'documents_user_id_text_source_index', properties: ['user', 'textSource'] },
  ],
  uniques: [
    {
      // One row per content per owner; NULLS NOT DISTINCT so two anonymous uploads of the
      // same bytes are duplicates too, and `on conflict (user_id, sha256)` works for both.
      name: 'documents_user_id_sha256_unique',
      expression:
        'create unique index "documents_user_id_sha256_unique" on "documents" ("user_id", "sha256") nulls not distinct',
    },
  ],
});
export class Document extends DocumentSchema.class {}
DocumentSchema.setClass(Document);

/**
 * A document's heavy lexemes and their weight in it, written by a trigger from its search
 * vector (migrations/2026-12-04T15-50-00-add-document-search-terms.sql): for a one-word
 * query the weight equals ts_rank_cd, so a vault's best documents for a word are one index
 * range. Read-only for the application.
 */
export const DocumentSearchTermSchema = defineEntity({
  name: 'DocumentSearchTerm',
  tableName: 'document_search_terms',
  properties: {
    document: () => p.manyToOne(Document).primary().deleteRule('cascade').updateRule('no action'),
    lexeme: p.text().primary(),
    // The document's owner (no foreign key: the document's cascade removes the row).
    userId: p.uuid().nullable(),
    score: p.float(),
  },
  indexes: [
    {
      name: 'document_search_terms_user_id_lexeme_score_document_id_index',
      properties: ['userId', 'lexeme', 'score', 'document'],
    },
    {
      // The anonymous vault's: `user_id is null` does not let the planner read the one above in order.
      name: 'document_search_terms_anonymous_lexeme_score_document_id_index',
      expression:
        'create index "document_search_terms_anonymous_lexeme_score_document_id_index" on "document_search_terms" ("lexeme", "score", "document_id") where ("user_id" is null)',
    },
  ],
});
export class DocumentSearchTerm extends DocumentSearchTermSchema.class {}
DocumentSearchTermSchema.setClass(DocumentSearchTerm);
