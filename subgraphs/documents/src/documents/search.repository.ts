import {
  SEARCH_EXACT_COUNT_LIMIT,
  SEARCH_HEAD,
  SEARCH_HEAD_SCAN,
  SEARCH_HEAD_SCAN_ALL_WORDS,
  SEARCH_TAIL_RANKED,
} from '@docuvault/shared/db/entities/documents';
import { db } from '@docuvault/shared/db/kysely';
import { executePrepared } from '@docuvault/shared/db/prepared';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import type { SearchCursor } from './cursor.ts';
import {
  DOCUMENT_COLUMNS,
  isOrOfLexemes,
  lexemesOf,
  toDocumentRecord,
  tsQuery,
  type DocumentRecord,
  type DocumentRow,
} from './documents.repository.ts';
import { NO_FILTER } from './no-filter.ts';
import { languagesTheStatisticsKnow } from './search-statistics.repository.ts';
import { ownedBy } from '../data/query-helpers.ts';
import { visibleTo } from '../sharing/visibility.ts';

export interface SearchHit {
  document: DocumentRecord;
  /** The order key (a float4): ts_rank_cd for the head (0 and up), -1 / (1 + ts_rank_cd)
   * in [-1, 0) for the tail's ranked matches, -1 for the rest (docs/adr/0016). */
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
 * The head of a search: of the viewer's SEARCH_HEAD_SCAN heaviest documents for each lexeme
 * of the query (document_search_terms, one index range per lexeme), the SEARCH_HEAD that
 * hold most of the query's lexemes and weigh most, those of them that match, ranked
 * exactly (when every word must match: of the SEARCH_HEAD_SCAN_ALL_WORDS heaviest, by their
 * lightest lexeme). A broad word costs a few hundred index entries and fifty ranks instead
 * of a rank of every match. When the query is an OR of lexemes (q.plain: one word, its
 * lexeme in each configuration, or words joined by `or`), the weights' sum is its ts_rank_cd (for the
 * lexemes heavy in the document) and every document holding a lexeme matches, so
 * neither is computed from the document's search vector, which is stored out of line and
 * largest for the heaviest documents. Also defines `q`.
 */
const headOf = (owner: string | null, text: string, filter: RawBuilder<boolean>): RawBuilder<unknown> => sql`
  q as materialized (
    select p.query, ${isOrOfLexemes(sql`p.query`)} as plain
    from (select ${tsQuery(text)} as query) p),
  lexemes as (select distinct l.lexeme from q, lateral ${lexemesOf(sql`q.query`)} l),
  heavy as (
    select t.document_id, t.score from q, lexemes l cross join lateral (
      select t.document_id, t.score from document_search_terms t
      where ${ownedBy('t.user_id', owner)} and t.lexeme = l.lexeme
      order by t.score desc, t.document_id desc
      limit case when q.plain then ${SEARCH_HEAD_SCAN}::int else ${SEARCH_HEAD_SCAN_ALL_WORDS}::int end) t),
  candidates as (
    -- For an OR of lexemes (one word, or words joined by "or") the rank is the sum of their
    -- weights: no count first. When all must match, the documents holding most of them,
    -- then by the lightest: a document heavy in one word and light in the other has few
    -- places where both stand close, which is what ts_rank_cd counts.
    select h.document_id, sum(h.score) as score from heavy h, q group by h.document_id, q.plain
    order by case when q.plain then 0 else count(*) end desc,
             case when q.plain then sum(h.score) else min(h.score) end desc, h.document_id desc
    limit ${SEARCH_HEAD}),
  head as (
    select d.id, d.key from candidates h cross join lateral (
      -- Lateral, so each candidate is one primary-key lookup: joined as a set, the planner
      -- reads every match of a broad word to find the few dozen.
      select d.id, case when q.plain then h.score else ts_rank_cd(d.search_vector, q.query) end as key
      from documents d, q
      where d.id = h.document_id and ${visibleTo('d', owner)} and (q.plain or d.search_vector @@ q.query)
        and ${filter}) d)`;

/**
 * Every match not in the head, below it: the SEARCH_TAIL_RANKED of them with the highest ids
 * ranked exactly, keys in (-1, 0), the others after them at -1 (by id). A rare word's matches
 * are mostly in the tail (few documents hold it often enough for document_search_terms), and
 * ranking one reads its whole search vector: a few thousand cost a hundred milliseconds.
 */
const tailOf = (owner: string | null, filter: RawBuilder<boolean>): RawBuilder<unknown> => sql`
  tail as (
    select m.id,
           case when m.n <= ${SEARCH_TAIL_RANKED}
                then (select (-1 / (1 + ts_rank_cd(x.search_vector, q.query)))::real from documents x where x.id = m.id)
                else -1::real end as key
    from q, (select d.id, row_number() over (order by d.id desc) as n
             from documents d, q
             where not exists (select from head h where h.id = d.id) and ${sql.join(matchConditions(owner, filter), sql` and `)}) m)`;

async function pageOf(
  em: EntityManager,
  tiers: RawBuilder<unknown>,
  from: 'head' | 'tail',
  after: SearchCursor | undefined,
  limit: number,
): Promise<SearchHit[]> {
  const afterCursor = after ? sql`where (s.key, s.id) < (${after.rank}::real, ${after.id}::uuid)` : sql``;
  const rows = await executePrepared(
    em,
    sql<DocumentRow & { rank: number }>`
        with ${tiers},
        page as (select s.id, s.key from ${sql.table(from)} s ${afterCursor} order by s.key desc, s.id desc limit ${limit})
        select ${DOCUMENT_COLUMNS}, p.key as rank
        from page p join documents d on d.id = p.id
        order by p.key desc, p.id desc`,
  );
  return rows.map(({ rank, ...row }) => ({ document: toDocumentRecord(row), rank }));
}

/**
 * One page of matches, best first: the head (see headOf), then every other match, each
 * part ordered by exact ts_rank_cd. The tail is only read when the head cannot fill the
 * page (a rare word, a filter, a page past the head), so a broad word's first pages never
 * rank its thousands of matches. The keyset is (key, id), float4 on both sides, and a
 * cursor's sign says which part it is in, so a page continues exactly after the last hit.
 */
export async function searchDocuments(
  em: EntityManager,
  owner: string | null,
  text: string,
  after: SearchCursor | undefined,
  limit: number,
  filter: RawBuilder<boolean> = NO_FILTER,
): Promise<SearchHit[]> {
  const head = headOf(owner, text, filter);
  const inHead = after === undefined || after.rank >= 0;
  const first = inHead ? await pageOf(em, head, 'head', after, limit) : [];
  if (first.length >= limit) return first;
  const rest = await pageOf(
    em,
    sql`${head}, ${tailOf(owner, filter)}`,
    'tail',
    inHead ? undefined : after,
    limit - first.length,
  );
  return [...first, ...rest];
}

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  Output?: string[];
  Plans?: PlanNode[];
}

/**
 * The planner's estimate of the rows each of `queries` returns, from one plan of their union:
 * one round trip instead of one per query (a broad word's total plans it in up to three
 * languages, and each round trip costs writes in the subgraph and in PostgreSQL). Each branch
 * selects its own index, which the verbose plan shows as its output; a branch the planner
 * proves empty is left out of the plan, and its estimate is 0.
 */
async function plannedRows(em: EntityManager, queries: readonly RawBuilder<unknown>[]): Promise<number[]> {
  if (queries.length === 0) return [];
  const union = sql.join(
    queries.map((query, i) => sql`select ${sql.lit(i)} as branch from (${query}) m`),
    sql` union all `,
  );
  const {
    rows: [plan],
  } = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>`explain (verbose, format json) ${union}`.execute(
    db(em),
  );
  const top = plan?.['QUERY PLAN'][0].Plan;
  const estimates = queries.map(() => 0);
  // More than one branch left: an Append of them; one: that branch alone.
  const branches =
    top?.['Node Type'] === 'Append' && queries.length > 1 ? (top.Plans ?? []) : top ? [top] : [];
  for (const branch of branches) {
    const i = Number(branch.Output?.[0]);
    if (Number.isInteger(i) && i >= 0 && i < estimates.length) estimates[i] = Math.round(branch['Plan Rows']);
  }
  return estimates;
}

/**
 * Whether more than `limit` of the viewer's own documents that pass the filter hold one lexeme
 * of the query heavily (document_search_terms: an index range per lexeme, read up to one past
 * the limit), when the query is an OR of lexemes: every such document matches it. A lower bound
 * that costs a few hundred index entries, where counting the matches builds a bitmap of every
 * match in the table first: over 1 000 000 documents, 40 ms of PostgreSQL CPU for `whitespace`
 * (62 002 matches, 7 418 of them heavy; docs/adr/0024).
 */
async function heavyMatchesPass(
  em: EntityManager,
  owner: string | null,
  text: string,
  filter: RawBuilder<boolean>,
  limit: number,
): Promise<boolean> {
  // The terms are the viewer's own documents': only a filter needs the documents themselves.
  const filtered =
    filter === NO_FILTER
      ? sql`true`
      : sql`exists (select 1 from documents d where d.id = t.document_id and ${filter})`;
  const [row] = await executePrepared(
    em,
    sql<{ count: number }>`select coalesce(max(h.count), 0)::int as count
        from (select ${tsQuery(text)} as query) q,
             lateral (select distinct w.lexeme from ${lexemesOf(sql`q.query`)} w) l,
             lateral (select count(*) as count from (
               select 1 from document_search_terms t
               where ${ownedBy('t.user_id', owner)} and t.lexeme = l.lexeme and ${filtered}
               limit ${limit + 1}) m) h
        where ${isOrOfLexemes(sql`q.query`)}`,
  );
  return (row?.count ?? 0) > limit;
}

/**
 * How many documents match: exactly up to `limit` (SEARCH_EXACT_COUNT_LIMIT), past that an
 * estimate (counting a broad match costs as much as ranking it), saying which. The planner's
 * estimate is taken only in a language whose lexemes its statistics keep; else they are counted.
 *
 * The estimate is the largest of the planner's estimates for the query in each such language
 * alone. The query matches a document in any of them (tsQuery ORs them), and the planner takes
 * the languages as independent, while a word's English, German and simple forms match nearly the
 * same documents: over 100 000 seeded documents its estimate for a one-word query was 1.5 to 1.9
 * times the truth ("system": 86 594 for 48 863), the per-language maximum exact for the words its
 * statistics know, and for phrases of two or three words 0.5 to 1.05 times
 * (docs/adr/0016-search-at-scale.md, "Revision 2026-12-04, night").
 */
export async function countSearchMatches(
  em: EntityManager,
  owner: string | null,
  text: string,
  filter: RawBuilder<boolean> = NO_FILTER,
  limit = SEARCH_EXACT_COUNT_LIMIT,
): Promise<SearchCount> {
  const matchingIn = (
    query: RawBuilder<unknown>,
  ) => sql`select 1 from documents d, (select ${query} as query) q
        where ${sql.join(matchConditions(owner, filter), sql` and `)}`;
  const matching = matchingIn(tsQuery(text));
  const [planned = 0] = await plannedRows(em, [matching]);
  let perLanguage = 0;
  if (planned > 2 * limit) {
    const known = await languagesTheStatisticsKnow(em, text);
    const inLanguages = await plannedRows(
      em,
      known.map((language) =>
        matchingIn(sql`websearch_to_tsquery(${sql.lit(language)}::regconfig, ${text})`),
      ),
    );
    perLanguage = Math.max(0, ...inLanguages);
    if (perLanguage > 2 * limit) return { count: perLanguage, exact: false };
    // Past the limit for certain: the same answer as a count that stops there would give.
    if (await heavyMatchesPass(em, owner, text, filter, limit))
      return { count: Math.max(planned, perLanguage, limit + 1), exact: false };
  }
  // Counted up to one past the limit: the rows read stop there, though the GIN index first
  // builds a bitmap of every match in the table (docs/adr/0024).
  const [row] = await executePrepared(
    em,
    sql<{ count: number }>`select count(*)::int as count
        from (${matching} limit ${limit + 1}) m`,
  );
  const counted = row?.count ?? 0;
  // More than the limit where the planner expected fewer or only bounded it: an estimate
  // from statistics that do not keep the word, so the largest figure is the best.
  if (counted > limit) return { count: Math.max(planned, perLanguage, counted), exact: false };
  return { count: counted, exact: true };
}
