import { SEARCH_TEXT_LIMIT } from '@docuvault/shared/db/entities/documents';
import { executePrepared } from '@docuvault/shared/db/prepared';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { lexemesOf, tsQuery } from './documents.repository.ts';
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
 * ts_headline parses all the text it is given (a few megabytes a second), and the best hits
 * of a broad word are the longest documents. So the text's passages come from
 * docuvault_search_passages (latest: migrations/2026-12-06T05-00-00-search-needles-once-per-query.sql):
 * PASSAGE_WINDOW bytes around the first place where a word starts with a query lexeme, found
 * in the text's bytes, first in its first HEAD_WINDOW characters, then in the rest (when no
 * word does: the first HEAD_WINDOW characters).
 */
export const PASSAGE_WINDOW = 600;
/** Of PASSAGE_WINDOW, how much comes before the word: a passage may start some words earlier. */
const PASSAGE_LEAD = 150;
/** The part of the text looked in first, and shown when no word starts with a lexeme (a title-only match). */
const HEAD_WINDOW = 2_000;

// q.words: the query's lexemes OR-ed. In a window, passages around any of them: with the query
// itself, a window holding one word of `a & b` but no passage with both would show no match.
// q.needles: the bytes a word holding each lexeme starts with (docuvault_word_needles: as
// written, Capitalised, in CAPITALS), made once for the page. A word starts with the lexeme, or
// with it less its final `i` when longer than three, as English stems end in `i` where words
// end in `y` (library: librari).
const QUERY = (text: string) => sql`(select p.query, l.words, l.needles
   from (select ${tsQuery(text)} as query) p,
        lateral (select string_agg(quote_literal(m.lexeme), ' | ')::tsquery as words,
                        docuvault_word_needles(array_agg(regexp_replace(m.lexeme, '^(.{3,})i$', '\\1'))) as needles
                 from ${lexemesOf(sql`p.query`)} m) l)`;

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
  const rows = await executePrepared(
    em,
    sql<RawHeadlines & { id: string }>`select d.id,
               docuvault_search_passages(d.id, coalesce(substr(d.extracted_text, 1, ${HEAD_WINDOW}), ''),
                                         coalesce(octet_length(d.extracted_text), 0), docuvault_search_config(d.language),
                                         q.query, q.words, q.needles, ${TEXT_OPTIONS}, ${MARKS},
                                         ${PASSAGE_LEAD}, ${PASSAGE_WINDOW}, ${SEARCH_TEXT_LIMIT}) as body,
               ts_headline(docuvault_search_config(d.language), translate(d.title, ${MARKS}, ${SPACES}),
                           q.query, ${TITLE_OPTIONS}) as title
        from documents d, ${QUERY(text)} as q
        where d.id = any(${uuidArray(ids)}) and ${visibleTo('d', owner)}`,
  );
  return new Map(rows.map(({ id, body, title }) => [id, { body, title }]));
}
