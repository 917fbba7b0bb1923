import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocuments } from '../../support/seed-documents.ts';
import {
  startDocumentsSubgraph,
  type DocumentsTestServer,
  type GraphQLResponse,
} from '../../support/stacks/index.ts';

interface Page {
  documents: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; createdAt: string } }[];
  };
}

const PAGE = `query Page($first: Int, $after: String) {
  documents(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id createdAt } }
  }
}`;

describe('documents: listing', () => {
  let subgraph: DocumentsTestServer;
  // Left by the walk through all pages, for the test of what comes after the last page.
  let lastCursor: string | undefined;
  let lastPageTail: string | undefined;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-listing');
    // 10,000 rows in runs of 50 sharing one created_at (so the id must break ties), then
    // each row moved by 0-2 microseconds: rows within one millisecond, which a cursor that
    // kept only milliseconds would skip or repeat.
    await seedDocuments(subgraph.admin, { count: 10_000, rowsPerTimestamp: 50, stepMs: 1_000 });
    await subgraph.admin.query(
      `update documents set created_at = created_at + (abs(hashtext(id::text)) % 3) * interval '1 microsecond'`,
    );
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  it('lists 10 000 documents page by page (first: 100), each exactly once, newest first', async () => {
    const { rows } = await subgraph.admin.query<{ id: string }>(
      'select id from documents order by created_at desc, id desc',
    );
    const expected = rows.map((row) => row.id);
    const { rows: ties } = await subgraph.admin.query<{ shared: number }>(
      'select count(*)::int as shared from (select created_at from documents group by 1 having count(*) > 1) t',
    );
    expect(ties[0]?.shared).toBeGreaterThan(100);

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: GraphQLResponse<Page> = await subgraph.graphql<Page>(PAGE, { first: 100, after });
      expect(response.errors).toBeUndefined();
      const connection: Page['documents'] = response.data!.documents;
      expect(connection.totalCount).toBe(10_000);
      pages += 1;
      seen.push(...connection.edges.map((edge) => edge.node.id));
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      if (!connection.pageInfo.hasNextPage) {
        after = connection.pageInfo.endCursor;
        break;
      }
      after = connection.pageInfo.endCursor;
      expect(pages).toBeLessThan(110);
    }
    lastCursor = after ?? undefined;
    lastPageTail = seen.at(-1);
    expect(pages).toBe(100);
    expect(new Set(seen).size).toBe(10_000);
    expect(seen).toEqual(expected);
  });

  it('defaults to 20 per page', async () => {
    const response = await subgraph.graphql<Page>(PAGE, {});
    expect(response.data?.documents.edges).toHaveLength(20);
    expect(response.data?.documents.pageInfo.hasNextPage).toBe(true);
  });

  it('answers an empty page after the last one', async () => {
    expect(lastCursor).toBeDefined();
    const { rows } = await subgraph.admin.query<{ id: string }>(
      'select id from documents order by created_at asc, id asc limit 1',
    );
    expect(lastPageTail).toBe(rows[0]?.id);
    const beyond = await subgraph.graphql<Page>(PAGE, { first: 5, after: lastCursor });
    expect(beyond.errors).toBeUndefined();
    expect(beyond.data?.documents.edges).toEqual([]);
    expect(beyond.data?.documents.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
