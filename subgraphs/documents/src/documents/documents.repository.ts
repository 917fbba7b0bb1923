import {
  SEARCH_LANGUAGES,
  type DocumentStatus,
  type TextSourceKind,
} from '@docuvault/shared/db/entities/documents';
import type { MatchMode, TopicSource } from '@docuvault/shared/db/entities/topics';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import type { ListCursor } from './cursor.ts';
import { isoTimestamp, uuidArray } from '../data/query-helpers.ts';
import { roleOfPermission, visibleTo, type DocumentScope, type ShareRole } from '../sharing/visibility.ts';
import { NO_FILTER } from './no-filter.ts';

/** A document row as the API sees it (no extracted text: that can be megabytes). */
export interface DocumentRecord {
  id: string;
  title: string;
  originalFilename: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  status: DocumentStatus;
  failureReason: string | null;
  /** How the text was obtained; null until the worker has read the document. */
  textSource: TextSourceKind | null;
  textLayerPages: number | null;
  ocrPages: number | null;
  skippedPages: number | null;
  textNote: string | null;
  folderId: string | null;
  /** Whose vault it is in (null: the anonymous vault); a recipient of a share sees others'. */
  ownerId: string | null;
  objectKey: string;
  /** The worker's thumbnail, once made (see thumbnails/). */
  thumbnailKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** created_at at microsecond precision, for cursors. */
  createdAtExact: string;
  /** The viewer's role on a document shared with them, when the query that read it knew it. */
  sharedRole?: ShareRole;
}

export interface TopicRecord {
  id: string;
  name: string;
  matchMode: MatchMode;
  pattern: string | null;
  caseSensitive: boolean;
}

export interface DocumentTopicRecord {
  topic: TopicRecord;
  confidence: number;
  source: TopicSource;
}

export type DocumentRow = Omit<DocumentRecord, 'createdAt' | 'updatedAt' | 'createdAtExact'> & {
  createdAt: string;
  updatedAt: string;
};

/** The select list for `documents d` (a constant fragment); shared with the search and edit queries. */
export const DOCUMENT_COLUMNS: RawBuilder<unknown> = sql`d.id, d.title, d.original_filename as "originalFilename",
   d.mime_type as "mimeType", d.size_bytes::float8 as "sizeBytes", d.sha256, d.status,
   d.failure_reason as "failureReason", d.text_source as "textSource", d.text_layer_pages as "textLayerPages",
   d.ocr_pages as "ocrPages", d.skipped_pages as "skippedPages", d.text_note as "textNote",
   d.folder_id as "folderId", d.user_id as "ownerId", d.object_key as "objectKey", d.thumbnail_key as "thumbnailKey",
   ${isoTimestamp('d.created_at')} as "createdAt", ${isoTimestamp('d.updated_at')} as "updatedAt"`;

export function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    createdAtExact: row.createdAt,
  };
}

/**
 * `websearch_to_tsquery` in every configuration a search vector may be built with, OR-ed:
 * an English document matches by its English stems, a German one by its German stems, a
 * 'simple' one by the words as written (docs/adr/0016).
 */
export const tsQuery = (text: string): RawBuilder<unknown> =>
  sql`(${sql.join(
    SEARCH_LANGUAGES.map((language) => sql`websearch_to_tsquery(${sql.lit(language)}::regconfig, ${text})`),
    sql` || `,
  )})`;

/**
 * The lexemes of a parsed tsquery, one row each (column `lexeme`), read from its text form:
 * each lexeme quoted ('...', a quote inside doubled). For `from`/`lateral` lists.
 */
export const lexemesOf = (query: RawBuilder<unknown>): RawBuilder<unknown> =>
  sql`(select replace(m[1], '''''', '''') as lexeme
       from regexp_matches((${query})::text, '''((?:[^'']|'''')+)''', 'g') as m)`;

/**
 * Whether a parsed tsquery is an OR of lexemes (no `&`, `!` or `<->` outside its quoted
 * lexemes): a document holding any one of them matches it.
 */
export const isOrOfLexemes = (query: RawBuilder<unknown>): RawBuilder<boolean> =>
  sql<boolean>`(regexp_replace((${query})::text, '''(?:[^'']|'''')*''', '', 'g') !~ '[&!<]')`;

/** By id, among what the viewer may see: their own and what is shared with them. */
export async function findDocumentsByIds(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<Map<string, DocumentRecord>> {
  const { rows } = await sql<DocumentRow>`select ${DOCUMENT_COLUMNS} from documents d
        where d.id = any(${uuidArray(ids)}) and ${visibleTo('d', owner)}`.execute(db(em));
  return new Map(rows.map((row) => [row.id, toDocumentRecord(row)]));
}

/**
 * One page, newest first, of the documents in `scope` (whose documents and in which key
 * order: listScope in sharing/visibility.ts) narrowed by `filter` (a condition on
 * `documents d`, see search-filters.repository.ts). Keyset on (created_at, id): the row
 * comparison continues strictly after the cursor and walks the scope's index backwards; no
 * OFFSET, so page 100 costs what page 1 costs and concurrent inserts never shift a page.
 */
export async function listDocuments(
  em: EntityManager,
  scope: DocumentScope,
  filter: RawBuilder<boolean>,
  after: ListCursor | undefined,
  limit: number,
): Promise<DocumentRecord[]> {
  const conditions: RawBuilder<unknown>[] = [scope.where, filter];
  if (after) {
    conditions.push(
      sql`(${scope.createdAt}, ${scope.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const { rows } = await sql<DocumentRow & { sharedPermission: string | null }>`
        select ${DOCUMENT_COLUMNS}, ${scope.permission} as "sharedPermission" from ${scope.from}
        where ${sql.join(conditions, sql` and `)}
        order by ${scope.createdAt} desc, ${scope.id} desc
        limit ${limit}`.execute(db(em));
  return rows.map(({ sharedPermission, ...row }) =>
    sharedPermission === null
      ? toDocumentRecord(row)
      : { ...toDocumentRecord(row), sharedRole: roleOfPermission(sharedPermission) },
  );
}

export async function countDocuments(
  em: EntityManager,
  scope: DocumentScope,
  filter: RawBuilder<boolean>,
): Promise<number> {
  const query =
    filter === NO_FILTER && scope.unfilteredCount
      ? scope.unfilteredCount
      : sql<{
          count: number;
        }>`select count(*)::int as count from ${scope.from} where ${scope.where} and ${filter}`;
  const {
    rows: [row],
  } = await query.execute(db(em));
  return row?.count ?? 0;
}

/** The topics of many documents at once, strongest first, then by name. */
export async function findTopicsOfDocuments(
  em: EntityManager,
  documentIds: readonly string[],
): Promise<Map<string, DocumentTopicRecord[]>> {
  const rows = await db(em)
    .selectFrom('document_topics as dt')
    .innerJoin('topics as t', 't.id', 'dt.topic_id')
    .select([
      'dt.document_id as documentId',
      'dt.confidence',
      'dt.source',
      't.id',
      't.name',
      't.match_mode as matchMode',
      't.pattern',
      't.case_sensitive as caseSensitive',
    ])
    .where('dt.document_id', '=', sql<string>`any(${uuidArray(documentIds)})`)
    // double precision: the driver answers a number (the entity type allows text as well).
    .$narrowType<{ confidence: number }>()
    .orderBy('dt.confidence', 'desc')
    .orderBy('t.name')
    .orderBy('t.id')
    .execute();
  const byDocument = new Map<string, DocumentTopicRecord[]>();
  for (const { documentId, confidence, source, ...topic } of rows) {
    const list = byDocument.get(documentId) ?? [];
    list.push({ topic, confidence, source });
    byDocument.set(documentId, list);
  }
  return byDocument;
}
