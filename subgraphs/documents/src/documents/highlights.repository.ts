import { SEARCH_TEXT_LIMIT } from '@docuvault/shared/db/entities/documents';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { tsQuery } from './documents.repository.ts';
import { uuidArray } from '../data/query-helpers.ts';
import { visibleTo } from '../sharing/visibility.ts';

/**
 * What ts_headline puts around each match and between passages: private-use characters,
 * so the text around them can be HTML-escaped before they become tags. A document may hold
 * them too; `translate` turns its own into spaces first (spaces, not nothing, so no two
 * words are joined into one the index never saw), so every mark in a headline is ours.
 */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';
export const PASSAGE_BREAK = '\uE002';
const MARKS = MATCH_START + MATCH_END + PASSAGE_BREAK;
const SPACES = ' '.repeat(MARKS.length);

// The text: up to two short passages around the best matches. The title: whole, every
// match marked (titles are short; a passage of a title would hide its start).
const TEXT_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter="${PASSAGE_BREAK}"`;
const TITLE_OPTIONS = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, HighlightAll=true`;

export interface RawHeadlines {
  /** Passages of the text separated by PASSAGE_BREAK, matches between MATCH_START and MATCH_END. */
  body: string;
  title: string;
}

/**
 * ts_headline parses all the text it is given, and the best hits of a broad word are the
 * longest documents (hundreds of kilobytes: tens of milliseconds each). So the passages are
 * looked for first in the text's first HEADLINE_WINDOW characters; when none matches there,
 * in a window around the first match's word position (read from the search vector); only
 * when that fails too, in the whole indexed text.
 */
export const HEADLINE_WINDOW = 2_000;

/** The first word position of a query lexeme in the document's search vector (the lexemes
 * are read from the query's text form, as search.repository.ts does), and the last position
 * of any word (positions stop at 16 383), to turn the one into a character offset. Each
 * lexeme's positions are sorted, so both are ends of arrays: no row per position. */
const POSITIONS = sql`(select min(u.positions[1]) filter (where u.lexeme in (select replace(m[1], '''''', '''')
                         from regexp_matches(q.query::text, '''((?:[^'']|'''')+)''', 'g') as m)) as first,
          max(u.positions[pg_catalog.cardinality(u.positions)]) as last
   from unnest(d.search_vector) u)`;

// In a window, passages around any of the query's words (q.words: its lexemes OR-ed): with
// the query itself, a window holding one word of `a & b` but no passage with both would show
// its start, unmarked, and send every such hit to the whole text.
const headline = (body: RawBuilder<unknown>, query = sql`q.words`) =>
  sql`ts_headline(docuvault_search_config(d.language), translate(${body}, ${MARKS}, ${SPACES}), ${query}, ${TEXT_OPTIONS})`;
const matched = (body: RawBuilder<unknown>) => sql`strpos(${body}, ${MATCH_START}) > 0`;
// Characters a word takes in this text (its stored length over its last position) give the
// first match's offset; the window spans 10 % of it either way (word lengths vary).
const NEAR_FIRST_MATCH = sql`substr(coalesce(d.extracted_text, ''),
  greatest(1, (0.9 * fp.first * octet_length(d.extracted_text)::float8 / greatest(fp.last, 1))::int - ${HEADLINE_WINDOW}),
  (0.2 * fp.first * octet_length(d.extracted_text)::float8 / greatest(fp.last, 1))::int + 2 * ${HEADLINE_WINDOW})`;

/**
 * Headlines for the rows of one page only: ts_headline re-parses the text, which is far
 * too costly to run over every match. The body is cut where the index cuts it, so a
 * headline never shows a match the index could not have found. substr (unlike left)
 * decompresses only as much of a long text as it needs.
 */
export async function findHeadlines(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
  text: string,
): Promise<Map<string, RawHeadlines>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<RawHeadlines & { id: string }>`select d.id,
               case when ${matched(sql`w.first`)} then w.first
                    when ${matched(sql`w.near`)} then w.near
                    else ${headline(sql`left(coalesce(d.extracted_text, ''), ${SEARCH_TEXT_LIMIT})`, sql`q.query`)} end as body,
               ts_headline(docuvault_search_config(d.language), translate(d.title, ${MARKS}, ${SPACES}),
                           q.query, ${TITLE_OPTIONS}) as title
        from documents d,
             (select p.query, (select string_agg(quote_literal(replace(m[1], '''''', '''')), ' | ')::tsquery
                               from regexp_matches(p.query::text, '''((?:[^'']|'''')+)''', 'g') as m) as words
              from (select ${tsQuery(text)} as query) p) as q,
             lateral (select f.first,
                             case when ${matched(sql`f.first`)} then null
                                  else (select ${headline(NEAR_FIRST_MATCH)}
                                        from (select x.first, x.last from ${POSITIONS} x offset 0) fp) end as near
                      -- offset 0: not pulled up, so each headline is computed once, not once per mention.
                      from (select ${headline(sql`substr(coalesce(d.extracted_text, ''), 1, ${HEADLINE_WINDOW})`)} as first offset 0) f
                      offset 0) as w
        where d.id = any(${uuidArray(ids)}) and ${visibleTo('d', owner)}`.execute(db(em));
  return new Map(rows.map(({ id, body, title }) => [id, { body, title }]));
}
