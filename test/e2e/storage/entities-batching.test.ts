import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocuments } from '../../support/seed-documents.ts';
import { startGatewayStorageStack, type GatewayStorageStack } from '../../support/stacks/index.ts';

// Document.download lives in the storage subgraph (@requires objectKey, … from
// documents). A page of documents must cost storage one `_entities` fetch, not one per
// document. Download URLs need no object behind them, so seeded rows are enough.

let stack: GatewayStorageStack;

beforeAll(async () => {
  stack = await startGatewayStorageStack('entities-batching');
  await seedDocuments(stack.documents.admin, { count: 40, titlePrefix: 'Batched' });
});

afterAll(async () => {
  await stack?.close();
});

interface Page {
  documents: {
    edges: { node: { title: string; download: { url: string } } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const PAGE = `query ($after: String) {
  documents(first: 20, after: $after) {
    edges { node { title download { url } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('documents with download URLs through the gateway', () => {
  it('resolves each page across both subgraphs with exactly one _entities fetch to storage', async () => {
    const titles = new Set<string>();
    let after: string | null = null;
    for (const expectedHasNext of [true, false]) {
      stack.storageRequests.length = 0;
      const { documents }: Page = await stack.viaGateway<Page>(PAGE, { after });
      expect(documents.edges).toHaveLength(20);
      for (const { node } of documents.edges) {
        titles.add(node.title);
        expect(node.title).toMatch(/^Batched \d+$/);
        const url = new URL(node.download.url);
        expect(url.pathname.startsWith(`/${stack.documents.bucket.bucket}/_anonymous/seed-`)).toBe(true);
        expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(stack.storageRequests).toEqual([{ operation: '_entities', representations: 20 }]);
      expect(documents.pageInfo.hasNextPage).toBe(expectedHasNext);
      after = documents.pageInfo.endCursor;
    }
    expect(titles.size).toBe(40);
  });
});
