import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

interface Listing {
  documents: { totalCount: number; edges: { node: { id: string } }[] };
}

const LIST = `query List($filter: DocumentFilter) {
  documents(filter: $filter, first: 100) { totalCount edges { node { id } } }
}`;

describe('documents: filters', () => {
  let subgraph: DocumentsTestServer;
  const ids: Record<string, string> = {};
  const folders: Record<string, string> = {};
  const topics: Record<string, string> = {};

  async function create<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await subgraph.graphql<T>(query, variables);
    expect(response.errors).toBeUndefined();
    return response.data as T;
  }

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-filters');
    for (const name of ['Invoices', 'Travel']) {
      const data = await create<{ createFolder: { id: string } }>(
        'mutation($name: String!) { createFolder(name: $name) { id } }',
        { name },
      );
      folders[name] = data.createFolder.id;
    }
    for (const name of ['Finance', 'Leisure', 'Unused']) {
      const data = await create<{ createTopic: { id: string } }>(
        'mutation($name: String!) { createTopic(input: { name: $name }) { id } }',
        { name },
      );
      topics[name] = data.createTopic.id;
    }
    const seed = async (key: string, fields: Parameters<typeof seedDocument>[1]) => {
      ids[key] = (await seedDocument(subgraph.admin, fields)).id;
    };
    await seed('invoice', {
      title: 'Invoice March',
      extractedText: 'quarterly invoice for services',
      status: 'CLASSIFIED',
      mimeType: 'application/pdf',
      folderId: folders.Invoices,
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    await seed('holiday', {
      title: 'Holiday plan',
      extractedText: 'beach and mountains',
      status: 'FAILED',
      mimeType: 'text/plain',
      folderId: folders.Travel,
      createdAt: new Date('2026-02-01T00:00:00Z'),
    });
    await seed('scan', {
      title: 'Scan',
      status: 'UPLOADED',
      mimeType: 'application/pdf',
      createdAt: new Date('2026-03-01T00:00:00Z'),
    });
    await seed('notes', {
      title: 'Notes',
      extractedText: 'reminder: pay the invoice',
      status: 'PROCESSING',
      mimeType: 'text/markdown',
      folderId: folders.Invoices,
      createdAt: new Date('2026-04-01T00:00:00Z'),
    });
    await subgraph.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source)
       values ($1, $3, 0.9, 'AUTO'), ($2, $3, 0.5, 'RULE'), ($2, $4, 1, 'MANUAL'), ($5, $4, 0.7, 'AUTO')`,
      [ids.invoice, ids.notes, topics.Finance, topics.Leisure, ids.holiday],
    );
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function listed(
    filter: Record<string, unknown> | null,
  ): Promise<{ ids: string[]; totalCount: number }> {
    const response = await subgraph.graphql<Listing>(LIST, { filter });
    expect(response.errors).toBeUndefined();
    const { documents } = response.data!;
    return { ids: documents.edges.map((edge) => edge.node.id), totalCount: documents.totalCount };
  }

  const cases: [string, () => Record<string, unknown>, string[]][] = [
    ['no filter', () => ({}), ['notes', 'scan', 'holiday', 'invoice']],
    ['status', () => ({ status: ['FAILED', 'UPLOADED'] }), ['scan', 'holiday']],
    ['folder', () => ({ folderId: folders.Invoices }), ['notes', 'invoice']],
    ['topic', () => ({ topicId: topics.Finance }), ['notes', 'invoice']],
    ['topic set by hand', () => ({ topicId: topics.Leisure }), ['notes', 'holiday']],
    ['mime type (any case)', () => ({ mimeType: ['Application/PDF'] }), ['scan', 'invoice']],
    ['several mime types', () => ({ mimeType: ['text/plain', 'text/markdown'] }), ['notes', 'holiday']],
    ['created after', () => ({ createdAfter: '2026-02-15T00:00:00Z' }), ['notes', 'scan']],
    ['created before', () => ({ createdBefore: '2026-02-15T00:00:00Z' }), ['holiday', 'invoice']],
    [
      'created range',
      () => ({ createdAfter: '2026-01-15T00:00:00Z', createdBefore: '2026-03-15T00:00:00Z' }),
      ['scan', 'holiday'],
    ],
    ['text in the body', () => ({ text: 'invoice' }), ['notes', 'invoice']],
    ['text in the title', () => ({ text: 'holiday' }), ['holiday']],
    ['text with websearch syntax', () => ({ text: 'invoice -reminder' }), ['invoice']],
    ['blank text (no condition)', () => ({ text: '   ' }), ['notes', 'scan', 'holiday', 'invoice']],
    ['filters combined', () => ({ folderId: folders.Invoices, status: ['CLASSIFIED'] }), ['invoice']],
    ['an empty status list', () => ({ status: [] }), []],
    ['a topic of no document', () => ({ topicId: topics.Unused }), []],
  ];

  it.each(cases)('narrows by %s, and totalCount matches', async (_name, filter, expected) => {
    const result = await listed(filter());
    expect(result.ids).toEqual(expected.map((key) => ids[key]));
    expect(result.totalCount).toBe(expected.length);
  });

  it('reports the topics of each listed document with confidence and source', async () => {
    const response = await subgraph.graphql<{
      documents: {
        edges: {
          node: { id: string; topics: { topic: { name: string }; confidence: number; source: string }[] };
        }[];
      };
    }>(`{ documents { edges { node { id topics { topic { name } confidence source } } } } }`);
    expect(response.errors).toBeUndefined();
    const byId = new Map(response.data!.documents.edges.map((edge) => [edge.node.id, edge.node.topics]));
    expect(byId.get(ids.notes!)).toEqual([
      { topic: { name: 'Leisure' }, confidence: 1, source: 'MANUAL' },
      { topic: { name: 'Finance' }, confidence: 0.5, source: 'RULE' },
    ]);
    expect(byId.get(ids.scan!)).toEqual([]);
  });

  it('resolves the folder of each document and counts the documents of each folder', async () => {
    const response = await subgraph.graphql<{
      document: { folder: { id: string; name: string; documentCount: number } | null; sizeBytes: number };
      folders: { name: string; documentCount: number; parent: null }[];
    }>(
      `query($id: ID!) {
        document(id: $id) { sizeBytes folder { id name documentCount } }
        folders { name documentCount parent { id } }
      }`,
      { id: ids.notes },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.document).toEqual({
      sizeBytes: 1234,
      folder: { id: folders.Invoices, name: 'Invoices', documentCount: 2 },
    });
    expect(response.data!.folders).toEqual([
      { name: 'Invoices', documentCount: 2, parent: null },
      { name: 'Travel', documentCount: 1, parent: null },
    ]);
  });
});
