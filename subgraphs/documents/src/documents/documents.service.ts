import { badInput } from '@docuvault/shared/errors/index';
import { decodeListCursor, decodeSearchCursor, encodeListCursor, encodeSearchCursor } from './cursor.ts';
import {
  countDocuments,
  listDocuments as listDocumentRows,
  type DocumentRecord,
} from './documents.repository.ts';
import { findHeadlines } from './highlights.repository.ts';
import { NO_HIGHLIGHTS, toHitHighlights, type HitHighlights } from './highlights.ts';
import { parsePageSize, parseSearchText } from './input.ts';
import { documentFilterOf, type DocumentFilterInput } from './search-filters.ts';
import { documentFilterCondition, searchFilterCondition } from './search-filters.repository.ts';
import { listScope } from '../sharing/visibility.ts';
import { countSearchMatches, searchDocuments as searchDocumentRows } from './search.repository.ts';
import type { Vault } from './vault.ts';

export interface DocumentEdgeValue {
  cursor: string;
  document: DocumentRecord;
  /**
   * Search only: the hit's highlights, computed on first use for the whole page at once
   * (one query), so a client that selects neither `highlights` nor `snippet` never pays.
   */
  highlights: () => Promise<HitHighlights>;
}

export interface DocumentPage {
  edges: DocumentEdgeValue[];
  hasNextPage: boolean;
  /** Counted only when asked for: a count over a large vault is the costly part. */
  totalCount: () => Promise<number>;
  /** False when totalCount is an estimate (a search matching more than SEARCH_EXACT_COUNT_LIMIT). */
  totalCountIsExact: () => Promise<boolean>;
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
  const values = await documentFilterOf(vault, filterInput);
  const scope = listScope(vault.owner, values.sharedWithMe);
  const filter = documentFilterCondition(values);
  // One row beyond the page tells whether another page exists, without a count.
  const rows = await listDocumentRows(vault.em, scope, filter, cursor, limit + 1);
  const highlights = () => Promise.resolve(NO_HIGHLIGHTS);
  return {
    edges: rows.slice(0, limit).map((document) => ({
      cursor: encodeListCursor({ createdAt: document.createdAtExact, id: document.id }),
      document,
      highlights,
    })),
    hasNextPage: rows.length > limit,
    totalCount: once(() => countDocuments(vault.em, scope, filter)),
    totalCountIsExact: () => Promise.resolve(true),
  };
}

/** `search`: best first (ts_rank_cd, title above body; docs/adr/0016), narrowed by the filter, each edge with its highlights. */
export async function searchDocuments(
  vault: Vault,
  queryInput: string,
  filterInput: DocumentFilterInput | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  options: { countAtOnce?: boolean } = {},
): Promise<DocumentPage> {
  const text = parseSearchText(queryInput, 'query');
  if (text === undefined) throw badInput('query must not be blank', { argument: 'query' });
  const limit = parsePageSize(first);
  const cursor = decodeSearchCursor(after);
  const filter = searchFilterCondition(await documentFilterOf(vault, filterInput), vault.owner);
  // Counting a broad match costs as much as ranking it: when the client wants the count,
  // both queries run at once (on two connections) rather than one after the other.
  const count = once(() => countSearchMatches(vault.em, vault.owner, text, filter));
  if (options.countAtOnce) count().catch(() => undefined);
  const hits = await searchDocumentRows(vault.em, vault.owner, text, cursor, limit + 1, filter);
  const page = hits.slice(0, limit);
  const headlines = once(() =>
    findHeadlines(
      vault.em,
      vault.owner,
      page.map((hit) => hit.document.id),
      text,
    ),
  );
  return {
    edges: page.map(({ document, rank }) => ({
      cursor: encodeSearchCursor({ rank, id: document.id }),
      document,
      highlights: once(async () => toHitHighlights((await headlines()).get(document.id))),
    })),
    hasNextPage: hits.length > limit,
    totalCount: async () => (await count()).count,
    totalCountIsExact: async () => (await count()).exact,
  };
}
