import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SEARCH_HEAD } from '@docuvault/shared/db/entities/documents';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// The head of a search (docs/adr/0016): a word's heaviest documents come from
// document_search_terms, ranked exactly; every other match follows, ranked exactly. For one
// word that is the exact order of every match, across the seam between the two parts, and
// the filter narrows both parts.

interface Page {
  search: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; mimeType: string } }[];
  };
}

const SEARCH = `query ($query: String!, $first: Int, $after: String, $filter: DocumentFilter) {
  search(query: $query, first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id mimeType } }
  }
}`;

/** More documents heavy in "walrus" than the head takes, and as many that mention it once or twice. */
const HEAVY = SEARCH_HEAD + 20;
const LIGHT = 30;

describe('documents: search head and tail', () => {
  let subgraph: DocumentsTestServer;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search-head');
    for (let i = 0; i < HEAVY + LIGHT; i++) {
      // Heavy: 5 to 64 mentions (weight 2.0 and up); light: 1 or 2 (below document_search_terms' 2.0).
      const mentions = i < HEAVY ? 5 + i : 1 + (i % 2);
      await seedDocument(subgraph.admin, {
        title: `Note ${i}`,
        extractedText: `${'the walrus swims '.repeat(mentions)} and the keeper writes it down`,
        mimeType: i % 3 === 0 ? 'text/plain' : 'application/pdf',
      });
    }
  }, 60_000);

  afterAll(async () => {
    await subgraph?.close();
  });

  async function page(variables: Record<string, unknown>): Promise<Page['search']> {
    const response = await subgraph.graphql<Page>(SEARCH, { query: 'walrus', ...variables });
    expect(response.errors).toBeUndefined();
    return response.data!.search;
  }

  async function all(first: number, filter?: Record<string, unknown>): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const result = await page({ first, after, filter });
      ids.push(...result.edges.map((edge) => edge.node.id));
      after = result.pageInfo.hasNextPage ? result.pageInfo.endCursor : null;
    } while (after);
    return ids;
  }

  /** Every match's exact ts_rank_cd, as the reference order is computed. */
  async function exactRanks(mimeType?: string): Promise<Map<string, number>> {
    const { rows } = await subgraph.admin.query<{ id: string; rank: number }>(
      `select d.id, ts_rank_cd(d.search_vector, q) as rank
       from documents d, (select websearch_to_tsquery('english', 'walrus') || websearch_to_tsquery('german', 'walrus')
                                 || websearch_to_tsquery('simple', 'walrus') as q) x
       where d.search_vector @@ q and ($1::text is null or d.mime_type = $1)`,
      [mimeType ?? null],
    );
    return new Map(rows.map((row) => [row.id, row.rank]));
  }

  it('answers the first page of a one-word search in the exact order', async () => {
    const exact = await exactRanks();
    const best = [...exact.values()].sort((a, b) => b - a).slice(0, 20);
    const { edges } = await page({ first: 20 });
    expect(edges.map((edge) => exact.get(edge.node.id))).toEqual(best);
  });

  it('pages from the head into the rest with every match once, never rising in rank', async () => {
    const exact = await exactRanks();
    const ids = await all(15);
    expect(ids).toHaveLength(HEAVY + LIGHT);
    expect(new Set(ids)).toEqual(new Set(exact.keys()));
    const ranks = ids.map((id) => exact.get(id)!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it('applies the filter to the head and to the rest', async () => {
    const exact = await exactRanks('text/plain');
    const ids = await all(10, { mimeType: ['text/plain'] });
    expect(new Set(ids)).toEqual(new Set(exact.keys()));
    const ranks = ids.map((id) => exact.get(id)!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });
});
