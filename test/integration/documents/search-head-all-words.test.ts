import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SEARCH_HEAD } from '@docuvault/shared/db/entities/documents';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// The head of a search whose words must all match (docs/adr/0022):
// ts_rank_cd of `alpha & beta` counts the places where the two words stand close, so a
// document heavy in one word and light in the other ranks low however heavy it is. The
// head takes its candidates by their lightest word, not by the sum of their weights.

const SEARCH = `query ($query: String!, $first: Int) {
  search(query: $query, first: $first) { edges { node { id } } }
}`;

/** More lopsided documents than the head takes, each far heavier in the sum than the balanced one. */
const LOPSIDED = SEARCH_HEAD + 10;
const FILLER = Array.from({ length: 60 }, (_, i) => `filler${i}`).join(' ');

describe('documents: search head for a query of several words', () => {
  let subgraph: DocumentsTestServer;
  let balanced: string;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search-head-all-words');
    for (let i = 0; i < LOPSIDED; i++) {
      // alpha 40 times (16.0), then far from it beta 5 times (2.0): in document_search_terms for both.
      await seedDocument(subgraph.admin, {
        title: `Note ${i}`,
        extractedText: `${'alpha '.repeat(40)} ${FILLER} ${'beta '.repeat(5)}`,
      });
    }
    // Each word 12 times (4.8), side by side: less weight in all than any lopsided one.
    ({ id: balanced } = await seedDocument(subgraph.admin, {
      title: 'Balanced',
      extractedText: `${'alpha beta '.repeat(12)} ${FILLER}`,
    }));
  }, 60_000);

  afterAll(async () => {
    await subgraph?.close();
  });

  /** Every match's exact ts_rank_cd, as the reference order is computed. */
  async function exactRanks(): Promise<Map<string, number>> {
    const { rows } = await subgraph.admin.query<{ id: string; rank: number }>(
      `select d.id, ts_rank_cd(d.search_vector, q) as rank
       from documents d, (select websearch_to_tsquery('english', 'alpha beta') || websearch_to_tsquery('german', 'alpha beta')
                                 || websearch_to_tsquery('simple', 'alpha beta') as q) x
       where d.search_vector @@ q`,
    );
    return new Map(rows.map((row) => [row.id, row.rank]));
  }

  it('answers first the document where the words stand together, not the heaviest in one of them', async () => {
    const exact = await exactRanks();
    expect(exact.size).toBe(LOPSIDED + 1);
    const best = [...exact.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(best).toBe(balanced);
    const response = await subgraph.graphql<{ search: { edges: { node: { id: string } }[] } }>(SEARCH, {
      query: 'alpha beta',
      first: 10,
    });
    expect(response.errors).toBeUndefined();
    const ids = response.data!.search.edges.map((edge) => edge.node.id);
    expect(ids[0]).toBe(balanced);
    const ranks = ids.map((id) => exact.get(id)!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });
});
