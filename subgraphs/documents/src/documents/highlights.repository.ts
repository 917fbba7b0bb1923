import { SEARCH_TEXT_LIMIT } from '@docuvault/shared/db/entities/documents';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
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
               ts_headline(docuvault_search_config(d.language),
                           translate(left(coalesce(d.extracted_text, ''), ${SEARCH_TEXT_LIMIT}), ${MARKS}, ${SPACES}),
                           q.query, ${TEXT_OPTIONS}) as body,
               ts_headline(docuvault_search_config(d.language), translate(d.title, ${MARKS}, ${SPACES}),
                           q.query, ${TITLE_OPTIONS}) as title
        from documents d, (select ${tsQuery(text)} as query) as q
        where d.id = any(${uuidArray(ids)}) and ${visibleTo('d', owner)}`.execute(db(em));
  return new Map(rows.map(({ id, body, title }) => [id, { body, title }]));
}
