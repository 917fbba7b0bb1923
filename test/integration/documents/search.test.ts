import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocument, seedDocuments } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

interface SearchResult {
  search: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; snippet: string | null; node: { id: string; title: string } }[];
  };
}

const SEARCH = `query Search($query: String!, $first: Int, $after: String) {
  search(query: $query, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor snippet node { id title } }
  }
}`;

describe('documents: search', () => {
  let subgraph: DocumentsTestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search');
    const seed = async (key: string, title: string, extractedText: string | null) => {
      ids[key] = (await seedDocument(subgraph.admin, { title, extractedText })).id;
    };
    // Seeded so that the body mention is the newer one: rank, not age, must decide.
    await seed('inTitle', 'Invoice from ACME', 'payment terms: thirty days');
    await seed('inBody', 'Monday notes', 'we paid the invoice on monday after lunch with the team');
    await seed('unrelated', 'Shopping list', 'milk, bread, eggs');
    await seed('hostile', 'Scraped page', 'before <img src=x onerror=alert(1)> the invoice & "more"');
    // Thirty documents with one and the same rank for "zebra": only the id orders them.
    await seedDocuments(subgraph.admin, {
      count: 30,
      titlePrefix: 'Animal',
      extractedText: 'a zebra crossing',
    });
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function search(variables: Record<string, unknown>) {
    const response = await subgraph.graphql<SearchResult>(SEARCH, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.search;
  }

  it('ranks a document whose title matches above one that mentions the word once in its text', async () => {
    const result = await search({ query: 'invoice' });
    const order = result.edges.map((edge) => edge.node.id);
    expect(order).toContain(ids.inBody);
    expect(order.indexOf(ids.inTitle!)).toBe(0);
    expect(order.indexOf(ids.inTitle!)).toBeLessThan(order.indexOf(ids.inBody!));
    expect(order).not.toContain(ids.unrelated);
    expect(result.totalCount).toBe(3);
  });

  it('highlights the word in the snippet, from the text or else from the title', async () => {
    const result = await search({ query: 'invoice' });
    const snippets = new Map(result.edges.map((edge) => [edge.node.id, edge.snippet]));
    expect(snippets.get(ids.inBody!)).toContain('paid the <b>invoice</b> on monday');
    expect(snippets.get(ids.inTitle!)).toBe('<b>Invoice</b> from ACME');
  });

  it('escapes the document text around the highlights', async () => {
    const result = await search({ query: 'invoice' });
    const snippet = result.edges.find((edge) => edge.node.id === ids.hostile)?.snippet;
    expect(snippet).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(snippet).toContain('<b>invoice</b> &amp; &quot;more');
    expect(snippet).not.toContain('<img');
  });

  it('pages through equal ranks with each match exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result = await search({ query: 'zebra', first: 7, after });
      expect(result.totalCount).toBe(30);
      seen.push(...result.edges.map((edge) => edge.node.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    const { rows } = await subgraph.admin.query<{ id: string }>(
      `select id from documents where extracted_text = 'a zebra crossing' order by id desc`,
    );
    expect(seen).toEqual(rows.map((row) => row.id));
  });

  it('answers no matches for a query without words', async () => {
    const result = await search({ query: '!!! ...' });
    expect(result).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it.each([[''], ['   ']])('refuses the blank query %j with BAD_USER_INPUT', async (query) => {
    const response = await subgraph.graphql(SEARCH, { query });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'query' });
  });

  it('refuses a listing cursor with BAD_USER_INPUT', async () => {
    const listing = await subgraph.graphql<{ documents: { pageInfo: { endCursor: string } } }>(
      '{ documents(first: 1) { pageInfo { endCursor } } }',
    );
    const response = await subgraph.graphql(SEARCH, {
      query: 'zebra',
      after: listing.data!.documents.pageInfo.endCursor,
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });
});
