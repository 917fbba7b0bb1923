import { badInput } from '@docuvault/shared/errors/index';
import type { DocumentStatus } from '@docuvault/shared/db/entities/documents';
import { decodeListCursor, decodeSearchCursor, encodeListCursor, encodeSearchCursor } from './cursor.ts';
import {
  countDocuments,
  listDocuments as listDocumentRows,
  type DocumentFilterValues,
  type DocumentRecord,
} from './documents.repository.ts';
import { parseId, parsePageSize, parseSearchText } from './input.ts';
import {
  countSearchMatches,
  findHeadlines,
  MATCH_END,
  MATCH_START,
  searchDocuments as searchDocumentRows,
  type RawHeadlines,
} from './search.repository.ts';
import type { Vault } from './vault.ts';

export interface DocumentFilterInput {
  status?: readonly DocumentStatus[] | null;
  topicId?: string | null;
  folderId?: string | null;
  mimeType?: readonly string[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  text?: string | null;
}

export interface DocumentEdgeValue {
  cursor: string;
  document: DocumentRecord;
  /** Search only: the best passage, matches wrapped in <b>…</b>, everything else HTML-escaped. */
  snippet: string | null;
}

export interface DocumentPage {
  edges: DocumentEdgeValue[];
  hasNextPage: boolean;
  /** Counted only when asked for: a count over a large vault is the costly part. */
  totalCount: () => Promise<number>;
  /** False when totalCount is an estimate (a search matching more than SEARCH_EXACT_COUNT_LIMIT). */
  totalCountIsExact: () => Promise<boolean>;
}

const MAX_MIME_TYPES = 50;

/** Checks a filter and turns it into query values. An empty list matches nothing (it is a
 * set of allowed values, and none is allowed); a blank `text` means no text condition. */
export function parseDocumentFilter(input: DocumentFilterInput | null | undefined): DocumentFilterValues {
  if (!input) return {};
  if (input.mimeType && input.mimeType.length > MAX_MIME_TYPES) {
    throw badInput(`filter.mimeType may list at most ${MAX_MIME_TYPES} types`, {
      argument: 'filter.mimeType',
    });
  }
  return {
    status: input.status ? [...new Set(input.status)] : undefined,
    // null means "no filter"; an empty string is a bad id, not a missing one.
    topicId: input.topicId != null ? parseId(input.topicId, 'filter.topicId') : undefined,
    folderId: input.folderId != null ? parseId(input.folderId, 'filter.folderId') : undefined,
    // Stored types are sniffed and lower-case; `Application/PDF` should still match.
    mimeTypes: input.mimeType
      ? [...new Set(input.mimeType.map((type) => type.trim().toLowerCase()))]
      : undefined,
    createdAfter: input.createdAfter ?? undefined,
    createdBefore: input.createdBefore ?? undefined,
    text: input.text ? parseSearchText(input.text, 'filter.text') : undefined,
  };
}

function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= compute());
}

/** `documents`: newest first, keyset-paged; `totalCount` counts the whole filter. */
export async function listDocuments(
  vault: Vault,
  filterInput: DocumentFilterInput | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<DocumentPage> {
  const limit = parsePageSize(first);
  const cursor = decodeListCursor(after);
  const filter = parseDocumentFilter(filterInput);
  // One row beyond the page tells whether another page exists, without a count.
  const rows = await listDocumentRows(vault.em, vault.owner, filter, cursor, limit + 1);
  return {
    edges: rows.slice(0, limit).map((document) => ({
      cursor: encodeListCursor({ createdAt: document.createdAtExact, id: document.id }),
      document,
      snippet: null,
    })),
    hasNextPage: rows.length > limit,
    totalCount: once(() => countDocuments(vault.em, vault.owner, filter)),
    totalCountIsExact: () => Promise.resolve(true),
  };
}

/** `search`: best first (ts_rank_cd, title above body; docs/adr/0016), each edge with a highlighted snippet. */
export async function searchDocuments(
  vault: Vault,
  queryInput: string,
  first: number | null | undefined,
  after: string | null | undefined,
  options: { countAtOnce?: boolean } = {},
): Promise<DocumentPage> {
  const text = parseSearchText(queryInput, 'query');
  if (text === undefined) throw badInput('query must not be blank', { argument: 'query' });
  const limit = parsePageSize(first);
  const cursor = decodeSearchCursor(after);
  // Counting a broad match costs as much as ranking it: when the client wants the count,
  // both queries run at once (on two connections) rather than one after the other.
  const count = once(() => countSearchMatches(vault.em, vault.owner, text));
  if (options.countAtOnce) count().catch(() => undefined);
  const hits = await searchDocumentRows(vault.em, vault.owner, text, cursor, limit + 1);
  const page = hits.slice(0, limit);
  const headlines = await findHeadlines(
    vault.em,
    vault.owner,
    page.map((hit) => hit.document.id),
    text,
  );
  return {
    edges: page.map(({ document, rank }) => ({
      cursor: encodeSearchCursor({ rank, id: document.id }),
      document,
      snippet: toSnippet(headlines.get(document.id)),
    })),
    hasNextPage: hits.length > limit,
    totalCount: async () => (await count()).count,
    totalCountIsExact: async () => (await count()).exact,
  };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The body's headline when the match is in the body, else the title's. The text is
 * escaped before the match marks become <b>…</b>: a snippet is meant to be rendered as
 * HTML, and document text is untrusted.
 */
export function toSnippet(headlines: RawHeadlines | undefined): string | null {
  if (!headlines) return null;
  const { body, title } = headlines;
  const chosen = body.includes(MATCH_START) || !title.includes(MATCH_START) ? body : title;
  const trimmed = chosen.trim();
  if (trimmed.length === 0) return null;
  return trimmed
    .replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character)
    .replaceAll(MATCH_START, '<b>')
    .replaceAll(MATCH_END, '</b>');
}
