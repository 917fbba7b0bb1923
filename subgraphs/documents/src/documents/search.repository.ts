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
  /** ts_rank_cd, a float4: title words carry weight A (1.0), body words weight B (0.4). */
  rank: number;
}

/**
 * One page of matches, best first. The keyset is (rank, id), so a page continues exactly
 * after the last hit even among equal ranks. The rank is computed once per row in SQL and
 * compared as float4 on both sides, so the cursor's value matches it exactly. `filter` is
 * the DocumentFilter's condition (search-filters.repository.ts), one more term of the WHERE.
 */
export async function searchDocuments(
  em: EntityManager,
  owner: string | null,
  text: string,
  after: SearchCursor | undefined,
  limit: number,
  filter: RawBuilder<boolean> = sql`true`,
): Promise<SearchHit[]> {
  const conditions = [visibleTo('d', owner), sql`d.search_vector @@ q.query`, filter];
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
  filter: RawBuilder<boolean> = sql`true`,
): Promise<number> {
  const {
    rows: [row],
  } = await sql<{ count: number }>`select count(*)::int as count from documents d
        where ${visibleTo('d', owner)} and d.search_vector @@ ${tsQuery(text)} and ${filter}`.execute(db(em));
  return row?.count ?? 0;
}
