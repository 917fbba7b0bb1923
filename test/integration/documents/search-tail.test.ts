import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SEARCH_TAIL_RANKED } from '@docuvault/shared/db/entities/documents';
import { seedDocument, seedDocuments } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// The tail of a search (docs/adr/0016): past the head, the SEARCH_TAIL_RANKED matches with the
// highest ids are ranked exactly and the others follow by id, so a rare word found once in
// thousands of documents costs a bounded number of ranks. Paging still gives every match
// once, and the ranked part of the tail never rises in rank.

interface Page {
  search: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string } }[];
  };
}

const SEARCH = `query ($after: String) {
  search(query: "pelican", first: 70, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}`;

const LIGHT = SEARCH_TAIL_RANKED + 60;

describe('documents: search tail', () => {
  let subgraph: DocumentsTestServer;
  const heavy: string[] = [];

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search-tail');
    // Two documents heavy in the word (the head), then many mentioning it once or twice.
    for (const mentions of [9, 6]) {
      const { id } = await seedDocument(subgraph.admin, {
        title: 'Heavy',
        extractedText: 'the pelican flies '.repeat(mentions),
      });
      heavy.push(id);
    }
    await seedDocuments(subgraph.admin, {
      count: LIGHT / 2,
      titlePrefix: 'Once',
      extractedText: 'a pelican',
    });
    await seedDocuments(subgraph.admin, {
      count: LIGHT / 2,
      titlePrefix: 'Twice',
      extractedText: 'a pelican and a second pelican',
    });
  }, 60_000);

  afterAll(async () => {
    await subgraph?.close();
  });

  async function page(after: string | null): Promise<Page['search']> {
    const response = await subgraph.graphql<Page>(SEARCH, { after });
    expect(response.errors).toBeUndefined();
    return response.data!.search;
  }

  it('gives every match once: the head, the ranked part of the tail, then the rest by id', async () => {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const { edges, pageInfo } = await page(after);
      ids.push(...edges.map((edge) => edge.node.id));
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    } while (after);

    const { rows } = await subgraph.admin.query<{ id: string; rank: number }>(
      `select d.id, ts_rank_cd(d.search_vector, to_tsquery('simple', 'pelican')) as rank
       from documents d where d.search_vector @@ to_tsquery('simple', 'pelican')`,
    );
    const rank = new Map(rows.map((row) => [row.id, row.rank]));
    expect(ids).toHaveLength(heavy.length + LIGHT);
    expect(new Set(ids)).toEqual(new Set(rank.keys()));

    expect(ids.slice(0, 2)).toEqual(heavy);
    const tail = ids.slice(2);
    const byIdDescending = [...tail].sort().reverse();
    const ranked = tail.slice(0, SEARCH_TAIL_RANKED);
    // The ranked part: the highest ids, best first.
    expect(new Set(ranked)).toEqual(new Set(byIdDescending.slice(0, SEARCH_TAIL_RANKED)));
    const ranks = ranked.map((id) => rank.get(id)!);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    // The rest: by id.
    expect(tail.slice(SEARCH_TAIL_RANKED)).toEqual(byIdDescending.slice(SEARCH_TAIL_RANKED));
  });
});
