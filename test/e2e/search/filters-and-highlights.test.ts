import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatewayClient } from '../../support/gateway-client.ts';
import { seedDocument } from '../../support/seed-documents.ts';
import { startGatewayStack, type GatewayStack } from '../../support/stacks/index.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// Search through the gateway (#19.6, #19.7): a signed-in user's search narrowed by a filter
// in the same call, each hit with its highlights; the same filter on `documents`; bad
// filters refused with a stable code, another user's folder answering as no folder at all.

const SEARCH = `query Search($query: String!, $filter: DocumentFilter) {
  search(query: $query, filter: $filter) {
    totalCount
    edges { snippet highlights { field snippet text matches { start end } } node { id title } }
  }
}`;

interface SearchAnswer {
  search: {
    totalCount: number;
    edges: {
      snippet: string | null;
      highlights: {
        field: string;
        snippet: string;
        text: string;
        matches: { start: number; end: number }[];
      }[];
      node: { id: string; title: string };
    }[];
  };
}

let stack: GatewayStack;
let alice: TestUser;
let bob: TestUser;
const folders = { work: '', invoices: '', bobs: '' };
const ids: Record<string, string> = {};

const as = (who: TestUser) => ({
  call: <T>(query: string, variables: Record<string, unknown>) =>
    gatewayClient(stack.gatewayUrl).call<T>(query, variables, { token: who.token }),
  data: <T>(query: string, variables: Record<string, unknown> = {}) =>
    gatewayClient(stack.gatewayUrl).data<T>(query, variables, { token: who.token }),
});

beforeAll(async () => {
  stack = await startGatewayStack('e2e-search-filters', {
    subgraphMaxBytes: 1 << 20,
    gatewayMaxBytes: 1 << 20,
  });
  alice = await createTestUser(stack.admin);
  bob = await createTestUser(stack.admin);
  const folder = async (who: TestUser, name: string, parentId?: string) =>
    (
      await as(who).data<{ createFolder: { id: string } }>(
        'mutation ($name: String!, $parentId: ID) { createFolder(name: $name, parentId: $parentId) { id } }',
        { name, parentId },
      )
    ).createFolder.id;
  folders.work = await folder(alice, 'Work');
  folders.invoices = await folder(alice, 'Invoices', folders.work);
  folders.bobs = await folder(bob, 'Bob private');
  const seed = async (key: string, fields: Parameters<typeof seedDocument>[1]) => {
    ids[key] = (await seedDocument(stack.admin, { userId: alice.id, ...fields })).id;
  };
  await seed('scan', {
    title: 'Scanned invoice',
    extractedText: 'invoice number 42, scanned at "the office" & filed',
    mimeType: 'image/jpeg',
    textSource: 'OCR',
    folderId: folders.invoices,
    createdAt: new Date('2026-06-01T00:00:00Z'),
  });
  await seed('letter', {
    title: 'Letter',
    extractedText: 'the invoice is attached',
    mimeType: 'application/pdf',
    textSource: 'TEXT',
    folderId: folders.work,
    createdAt: new Date('2026-07-01T00:00:00Z'),
  });
  await seed('elsewhere', {
    title: 'Invoice at home',
    extractedText: 'an invoice kept at home',
    mimeType: 'image/jpeg',
    textSource: 'OCR',
    createdAt: new Date('2026-06-15T00:00:00Z'),
  });
  await seedDocument(stack.admin, {
    userId: bob.id,
    title: 'Bob invoice',
    extractedText: 'invoice',
    folderId: folders.bobs,
    textSource: 'OCR',
    mimeType: 'image/jpeg',
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('search through the gateway', () => {
  it('narrows a search by folder tree, text source, MIME type and dates in one call, with highlights', async () => {
    const { search } = await as(alice).data<SearchAnswer>(SEARCH, {
      query: 'invoice',
      filter: {
        folderId: folders.work,
        includeSubfolders: true,
        textSource: ['OCR'],
        mimeType: ['image/jpeg'],
        createdAfter: '2026-05-01T00:00:00Z',
        createdBefore: '2026-08-01T00:00:00Z',
      },
    });
    expect(search.totalCount).toBe(1);
    const [hit] = search.edges;
    expect(hit!.node).toEqual({ id: ids.scan, title: 'Scanned invoice' });
    expect(hit!.highlights.map((highlight) => highlight.field)).toEqual(['TITLE', 'TEXT']);
    expect(hit!.highlights[0]).toEqual({
      field: 'TITLE',
      snippet: 'Scanned <mark>invoice</mark>',
      text: 'Scanned invoice',
      matches: [{ start: 8, end: 15 }],
    });
    expect(hit!.highlights[1]!.snippet).toBe(
      '<mark>invoice</mark> number 42, scanned at &quot;the office&quot; &amp; filed',
    );
    // The deprecated field still answers for clients that have not moved.
    expect(hit!.snippet).toContain('<b>invoice</b> number 42');
  });

  it('narrows `documents` with the same filter input', async () => {
    const { documents } = await as(alice).data<{ documents: { edges: { node: { id: string } }[] } }>(
      'query ($filter: DocumentFilter) { documents(filter: $filter) { edges { node { id } } } }',
      { filter: { folderId: folders.work, includeSubfolders: true } },
    );
    expect(documents.edges.map((edge) => edge.node.id)).toEqual([ids.letter, ids.scan]);
  });

  it('refuses a date range that ends before it starts with BAD_USER_INPUT naming the argument', async () => {
    const answer = await as(alice).call(SEARCH, {
      query: 'invoice',
      filter: { createdAfter: '2026-08-01T00:00:00Z', createdBefore: '2026-05-01T00:00:00Z' },
    });
    expect(answer.data).toBeNull();
    expect(answer.errors?.map((error) => error.extensions)).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'filter.createdBefore' }),
    ]);
  });

  it("answers a filter by another user's folder exactly as one by a folder that exists nowhere", async () => {
    const shape = (answer: Awaited<ReturnType<ReturnType<typeof as>['call']>>) => ({
      data: answer.data,
      errors: answer.errors?.map((error) => ({
        code: error.extensions?.code,
        argument: error.extensions?.argument,
        message: error.message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>'),
      })),
    });
    const theirs = await as(alice).call(SEARCH, { query: 'invoice', filter: { folderId: folders.bobs } });
    const nowhere = await as(alice).call(SEARCH, { query: 'invoice', filter: { folderId: randomUUID() } });
    expect(shape(theirs)).toEqual(shape(nowhere));
    expect(shape(theirs).errors).toEqual([
      { code: 'BAD_USER_INPUT', argument: 'filter.folderId', message: 'filter.folderId: no folder <id>' },
    ]);
  });
});
