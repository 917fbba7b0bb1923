import { SEARCH_EXACT_COUNT_LIMIT, SEARCH_EXACT_RANKED } from '@docuvault/shared/db/entities/documents';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import type { SearchCursor } from './cursor.ts';
import {
  DOCUMENT_COLUMNS,
  toDocumentRecord,
  tsQuery,
  type DocumentRecord,
  type DocumentRow,
} from './documents.repository.ts';
import { visibleTo } from '../sharing/visibility.ts';

export interface SearchHit {
  document: DocumentRecord;
  /** The order key (a float4): ts_rank_cd over the whole text for the best candidates
   * (0 and up), a value in (-1, 0) from the ranking vector for the rest (docs/adr/0016). */
  rank: number;
}

export interface SearchCount {
  count: number;
  /** False when the matches passed SEARCH_EXACT_COUNT_LIMIT and count is the planner's estimate. */
  exact: boolean;
}

/**
 * The conditions every search query shares: what the viewer may see (their vault and what
 * is shared with them), the match on the whole text, and the DocumentFilter's condition
 * (search-filters.repository.ts).
 */
const matchConditions = (owner: string | null, filter: RawBuilder<boolean>): RawBuilder<unknown>[] => [
  visibleTo('d', owner),
  sql`d.search_vector @@ q.query`,
  filter,
];

/**
 * The cheap rank: ts_rank_cd over the ranking vector (title and the first RANK_TEXT_LIMIT
 * characters), scaled by how much bigger the whole vector is (its stored size, read from
 * the row without fetching the vector), so that a long document with the terms early
 * counts as having them throughout.
 */
const roughRank = sql`ts_rank_cd(d.rank_vector, q.query)
  * greatest(1, pg_column_size(d.search_vector)::real / pg_column_size(d.rank_vector))`;

/**
 * One page of matches, best first. Ranking every match exactly means reading every match's
 * whole search vector (tens of kilobytes out of line for a long document), so only the
 * SEARCH_EXACT_RANKED best by the cheap rank are ranked exactly (ts_rank_cd, title words
 * weight A, body words weight B); they come first, the rest follow by the cheap rank mapped
 * into (-1, 0). The keyset is (key, id), computed once per row in SQL as float4 and
 * compared as float4 on both sides, so a page continues exactly after the last hit.
 */
export async function searchDocuments(
  em: EntityManager,
  owner: string | null,
  text: string,
  after: SearchCursor | undefined,
  limit: number,
  filter: RawBuilder<boolean> = sql`true`,
): Promise<SearchHit[]> {
  const afterCursor = after ? sql`where (s.key, s.id) < (${after.rank}::real, ${after.id}::uuid)` : sql``;
  const { rows } = await sql<DocumentRow & { rank: number }>`
        with q as materialized (select ${tsQuery(text)} as query),
        matches as (
          select d.id, (${roughRank})::real as rough
          from documents d, q
          where ${sql.join(matchConditions(owner, filter), sql` and `)}),
        best as (select m.id from matches m order by m.rough desc, m.id desc limit ${SEARCH_EXACT_RANKED}),
        keyed as (
          select m.id, case when b.id is null then (-1 / (1 + m.rough))::real
                            else (select ts_rank_cd(x.search_vector, q.query) from documents x, q where x.id = m.id)
                       end as key
          from matches m left join best b on b.id = m.id),
        page as (select s.id, s.key from keyed s ${afterCursor} order by s.key desc, s.id desc limit ${limit})
        select ${DOCUMENT_COLUMNS}, p.key as rank
        from page p join documents d on d.id = p.id
        order by p.key desc, p.id desc`.execute(db(em));
  return rows.map(({ rank, ...row }) => ({ document: toDocumentRecord(row), rank }));
}

/**
 * How many documents match: exactly up to about SEARCH_EXACT_COUNT_LIMIT, past that the
 * planner's estimate (counting a broad match costs as much as ranking it), saying which.
 */
export async function countSearchMatches(
  em: EntityManager,
  owner: string | null,
  text: string,
  filter: RawBuilder<boolean> = sql`true`,
): Promise<SearchCount> {
  const matching = sql`select 1 from documents d, (select ${tsQuery(text)} as query) q
        where ${sql.join(matchConditions(owner, filter), sql` and `)}`;
  const {
    rows: [plan],
  } = await sql<{
    'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }];
  }>`explain (format json) ${matching}`.execute(db(em));
  const estimate = Math.round(plan?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0);
  if (estimate > 2 * SEARCH_EXACT_COUNT_LIMIT) return { count: estimate, exact: false };
  const {
    rows: [row],
  } = await sql<{ count: number }>`select count(*)::int as count from (${matching}) m`.execute(db(em));
  return { count: row?.count ?? 0, exact: true };
}
