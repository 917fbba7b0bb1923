import { MATCH_END, MATCH_START, PASSAGE_BREAK, type RawHeadlines } from './highlights.repository.ts';

// Turns ts_headline's output (highlights.repository.ts) into what clients get: passages whose
// text is HTML-escaped and whose matches are the only tags, plus the same passage as plain
// text with the matches as code-point offsets, for clients that render without HTML.

export type SearchField = 'TITLE' | 'TEXT';

export interface TextRange {
  start: number;
  end: number;
}

export interface SearchHighlight {
  field: SearchField;
  snippet: string;
  text: string;
  matches: TextRange[];
}

/** What a search hit shows: `highlights`, and the deprecated `snippet` of earlier clients. */
export interface HitHighlights {
  highlights: SearchHighlight[];
  snippet: string | null;
}

export const NO_HIGHLIGHTS: HitHighlights = Object.freeze({ highlights: [], snippet: null });

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);

/** Code points in `text` (what a client counts offsets in), without building an array of them. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

const AROUND_MARKS = new RegExp(`(${MATCH_START}|${MATCH_END})`);

/** One passage with its marks: the plain text, the ranges, and the HTML with `tag` around each match. */
function toHighlight(field: SearchField, passage: string, tag: string): SearchHighlight | undefined {
  let text = '';
  let html = '';
  let position = 0;
  let start: number | undefined;
  const matches: TextRange[] = [];
  // The text between marks is escaped a run at a time (a page holds dozens of passages).
  for (const part of passage.trim().split(AROUND_MARKS)) {
    if (part === MATCH_START) {
      start = position;
      html += `<${tag}>`;
    } else if (part === MATCH_END) {
      if (start !== undefined && position > start) matches.push({ start, end: position });
      start = undefined;
      html += `</${tag}>`;
    } else if (part.length > 0) {
      text += part;
      html += escapeHtml(part);
      // Code points, not UTF-16 units: an emoji before a match must not shift it by two.
      position += codePoints(part);
    }
  }
  return matches.length === 0 ? undefined : { field, snippet: html, text, matches };
}

/**
 * The title's passage first (a title match ranks highest), then the text's passages; a
 * field without a match has none. ts_headline answers the start of a field that has no
 * match, which is not a highlight.
 */
export function toHighlights(headlines: RawHeadlines | undefined): SearchHighlight[] {
  if (!headlines) return [];
  const title = toHighlight('TITLE', headlines.title, 'mark');
  const passages = headlines.body
    .split(PASSAGE_BREAK)
    .map((passage) => toHighlight('TEXT', passage, 'mark'))
    .filter((passage) => passage !== undefined);
  return title ? [title, ...passages] : passages;
}

/**
 * The deprecated `snippet`, as it always was: the text's passages when the match is in the
 * text, else the title's; escaped, matches in <b>…</b>.
 */
export function toLegacySnippet(headlines: RawHeadlines | undefined): string | null {
  if (!headlines) return null;
  const { body, title } = headlines;
  const chosen = body.includes(MATCH_START) || !title.includes(MATCH_START) ? body : title;
  const trimmed = chosen.replaceAll(PASSAGE_BREAK, ' … ').trim();
  if (trimmed.length === 0) return null;
  return escapeHtml(trimmed).replaceAll(MATCH_START, '<b>').replaceAll(MATCH_END, '</b>');
}

export function toHitHighlights(headlines: RawHeadlines | undefined): HitHighlights {
  return { highlights: toHighlights(headlines), snippet: toLegacySnippet(headlines) };
}
