import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SEARCH_EXACT_COUNT_LIMIT } from '@docuvault/shared/db/entities/documents';
import { seedDocuments } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// A broad search's total is the planner's estimate once it says the matches are far past
// SEARCH_EXACT_COUNT_LIMIT (counting them costs as much as ranking them), and the answer says
// so; a narrower one is counted exactly, up to the limit. docs/adr/0016-search-at-scale.md.

interface CountResult {
  search: { totalCount: number; totalCountIsExact: boolean; edges: { node: { id: string } }[] };
}

const SEARCH = `query ($query: String!) {
  search(query: $query, first: 5) { totalCount totalCountIsExact edges { node { id } } }
}`;

describe('documents: search totals', () => {
  let subgraph: DocumentsTestServer;
  const broad = 3 * SEARCH_EXACT_COUNT_LIMIT;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search-count');
    await seedDocuments(subgraph.admin, {
      count: broad,
      titlePrefix: 'Ledger',
      extractedText: 'a quarterly ledger entry',
    });
    await seedDocuments(subgraph.admin, {
      count: 40,
      titlePrefix: 'Memo',
      extractedText: 'a rare walrus memo',
    });
    // In about half the documents: the planner's estimate for a word ORed over the three search
    // languages, as if they were independent, is far above the truth here.
    await seedDocuments(subgraph.admin, {
      count: broad,
      titlePrefix: 'Harbour',
      extractedText: 'a harbour note',
    });
    // The estimate comes from the statistics, as on any database autovacuum has analysed.
    await subgraph.admin.query('analyze documents');
    // Past the limit, but not in the statistics: the planner expects few.
    await seedDocuments(subgraph.admin, {
      count: SEARCH_EXACT_COUNT_LIMIT + 300,
      titlePrefix: 'Logbook',
      extractedText: 'a pelican in the logbook',
    });
  }, 120_000);

  afterAll(async () => {
    await subgraph?.close();
  });

  it('estimates the total of a match far past the limit and says it is an estimate', async () => {
    const { data, errors } = await subgraph.graphql<CountResult>(SEARCH, { query: 'ledger' });
    expect(errors).toBeUndefined();
    expect(data!.search.totalCountIsExact).toBe(false);
    // An estimate, not the number: only its order of magnitude can be relied on.
    expect(data!.search.totalCount).toBeGreaterThan(2 * SEARCH_EXACT_COUNT_LIMIT);
    expect(data!.search.totalCount).toBeLessThan(10 * broad);
    expect(data!.search.edges).toHaveLength(5);
  });

  it('estimates a word in half the documents by the largest of its per-language estimates', async () => {
    const { data, errors } = await subgraph.graphql<CountResult>(SEARCH, { query: 'harbour' });
    expect(errors).toBeUndefined();
    expect(data!.search.totalCountIsExact).toBe(false);
    // ORed over English, German and simple as if independent: 1 − (1 − ½)³ of the rows, about
    // twice the truth. The Logbook rows added after ANALYZE scale every estimate by about 1.2.
    expect(data!.search.totalCount).toBeGreaterThan(0.8 * broad);
    expect(data!.search.totalCount).toBeLessThan(1.4 * broad);
  });

  it('stops counting one past the limit when the statistics expect fewer, and says it is an estimate', async () => {
    const { data, errors } = await subgraph.graphql<CountResult>(SEARCH, { query: 'pelican' });
    expect(errors).toBeUndefined();
    expect(data!.search.totalCountIsExact).toBe(false);
    expect(data!.search.totalCount).toBeGreaterThan(SEARCH_EXACT_COUNT_LIMIT);
    expect(data!.search.totalCount).toBeLessThanOrEqual(2 * SEARCH_EXACT_COUNT_LIMIT);
  });

  it('counts a match below the limit exactly', async () => {
    const { data, errors } = await subgraph.graphql<CountResult>(SEARCH, { query: 'walrus' });
    expect(errors).toBeUndefined();
    expect(data!.search).toMatchObject({ totalCount: 40, totalCountIsExact: true });
  });
});
