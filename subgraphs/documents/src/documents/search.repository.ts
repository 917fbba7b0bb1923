import { SEARCH_CONFIG, SEARCH_TEXT_LIMIT } from '@docuvault/shared/db/entities/documents';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { SearchCursor } from './cursor.ts';
import {
  DOCUMENT_COLUMNS,
  toDocumentRecord,
  tsQuery,
  type DocumentRecord,
  type DocumentRow,
} from './documents.repository.ts';
import { uuidArray } from '../data/query-helpers.ts';
import { visibleTo } from '../sharing/visibility.ts';

export interface SearchHit {
  document: DocumentRecord;
  /** ts_rank_cd, a float4: title words carry weight A (1.0), body words weight B (0.4). */
  rank: number;
}

/** Marks around each match in a headline: private-use characters, which no document uses,
 * so the text around them can be HTML-escaped before they become <b>…</b>. */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * One page of matches, best first. The keyset is (rank, id), so a page continues exactly
 * after the last hit even among equal ranks. The rank is computed once per row in SQL and
 * compared as float4 on both sides, so the cursor's value matches it exactly.
 */
export async function searchDocuments(
  em: EntityManager,
  owner: string | null,
  text: string,
  after: SearchCursor | undefined,
  limit: number,
): Promise<SearchHit[]> {
  const conditions = [visibleTo('d', owner), sql`d.search_vector @@ q.query`];
  if (after) {
    conditions.push(
      sql`(ts_rank_cd(d.search_vector, q.query), d.id) < (${after.rank}::real, ${after.id}::uuid)`,
    );
  }
  const { rows } = await sql<DocumentRow & { rank: number }>`
        select ${DOCUMENT_COLUMNS}, ts_rank_cd(d.search_vector, q.query) as rank
        from documents d, ${tsQuery(text)} as q(query)
        where ${sql.join(conditions, sql` and `)}
        order by rank desc, d.id desc
        limit ${limit}`.execute(db(em));
  return rows.map(({ rank, ...row }) => ({ document: toDocumentRecord(row), rank }));
}

export async function countSearchMatches(
  em: EntityManager,
  owner: string | null,
  text: string,
): Promise<number> {
  const {
    rows: [row],
  } = await sql<{ count: number }>`select count(*)::int as count from documents d
        where ${visibleTo('d', owner)} and d.search_vector @@ ${tsQuery(text)}`.execute(db(em));
  return row?.count ?? 0;
}

export interface RawHeadlines {
  body: string;
  title: string;
}

/**
 * Headlines for the rows of one page only: ts_headline re-parses the text, which is far
 * too costly to run over every match. The body is cut where the index cuts it, so a
 * headline never shows a match the index could not have found.
 */
export async function findHeadlines(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
  text: string,
): Promise<Map<string, RawHeadlines>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<RawHeadlines & { id: string }>`select d.id,
               ts_headline(${SEARCH_CONFIG}::regconfig, left(coalesce(d.extracted_text, ''), ${SEARCH_TEXT_LIMIT}),
                           q.query, ${HEADLINE_OPTIONS}) as body,
               ts_headline(${SEARCH_CONFIG}::regconfig, d.title, q.query, ${HEADLINE_OPTIONS}) as title
        from documents d, ${tsQuery(text)} as q(query)
        where d.id = any(${uuidArray(ids)}) and ${visibleTo('d', owner)}`.execute(db(em));
  return new Map(rows.map(({ id, body, title }) => [id, { body, title }]));
}
