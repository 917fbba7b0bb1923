import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// `search` narrowed by the DocumentFilter (#19.7), and `documents` taking the same input:
// every condition alone and combined, paging inside a filter, and each kind of bad filter.

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string } }[];
}

const SEARCH = `query Search($query: String!, $filter: DocumentFilter, $first: Int, $after: String) {
  search(query: $query, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } }
  }
}`;

const LIST = `query List($filter: DocumentFilter) {
  documents(filter: $filter, first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
}`;

describe('documents: search with filters', () => {
  let subgraph: DocumentsTestServer;
  const ids: Record<string, string> = {};
  const folders: Record<string, string> = {};
  const topics: Record<string, string> = {};
  let strangersFolder = '';
  let strangersTopic = '';

  async function data<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await subgraph.graphql<T>(query, variables);
    expect(response.errors).toBeUndefined();
    return response.data as T;
  }

  async function folder(name: string, parentId?: string): Promise<string> {
    const created = await data<{ createFolder: { id: string } }>(
      'mutation($name: String!, $parentId: ID) { createFolder(name: $name, parentId: $parentId) { id } }',
      { name, parentId },
    );
    return created.createFolder.id;
  }

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-search-filters');
    folders.work = await folder('Work');
    folders.invoices = await folder('Invoices', folders.work);
    folders.year = await folder('2026', folders.invoices);
    folders.home = await folder('Home');
    for (const name of ['Finance', 'Travel']) {
      const created = await data<{ createTopic: { id: string } }>(
        'mutation($name: String!) { createTopic(input: { name: $name }) { id } }',
        { name },
      );
      topics[name] = created.createTopic.id;
    }
    const seed = async (key: string, fields: Parameters<typeof seedDocument>[1]) => {
      ids[key] = (await seedDocument(subgraph.admin, fields)).id;
    };
    // Every one mentions "report" but `unrelated`: the search is broad, the filter narrows.
    await seed('pdf', {
      title: 'Quarterly report',
      extractedText: 'the report for the first quarter',
      mimeType: 'application/pdf',
      textSource: 'TEXT',
      folderId: folders.work,
      createdAt: new Date('2026-01-10T00:00:00Z'),
    });
    await seed('scan', {
      title: 'Scanned receipt',
      extractedText: 'expense report for the trip',
      mimeType: 'image/jpeg',
      textSource: 'OCR',
      folderId: folders.invoices,
      createdAt: new Date('2026-02-10T00:00:00Z'),
    });
    await seed('mixed', {
      title: 'Signed contract',
      extractedText: 'contract with an annex report',
      mimeType: 'application/pdf',
      textSource: 'MIXED',
      folderId: folders.year,
      createdAt: new Date('2026-03-10T00:00:00Z'),
    });
    await seed('photo', {
      title: 'Report photo',
      extractedText: null,
      mimeType: 'image/png',
      textSource: 'NONE',
      folderId: folders.home,
      createdAt: new Date('2026-04-10T00:00:00Z'),
    });
    await seed('unread', {
      title: 'Draft',
      extractedText: 'draft report',
      status: 'UPLOADED',
      mimeType: 'text/plain',
      createdAt: new Date('2026-05-10T00:00:00Z'),
    });
    await seed('unrelated', {
      title: 'Shopping list',
      extractedText: 'milk and bread',
      mimeType: 'application/pdf',
      textSource: 'TEXT',
      folderId: folders.work,
      createdAt: new Date('2026-01-20T00:00:00Z'),
    });
    await subgraph.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source)
       values ($1, $3, 0.9, 'AUTO'), ($2, $3, 1, 'MANUAL'), ($4, $5, 0.7, 'RULE'), ($6, $3, 0.8, 'AUTO')`,
      [ids.pdf, ids.scan, topics.Finance, ids.photo, topics.Travel, ids.unrelated],
    );
    // Another user's folder and topic: to this (anonymous) vault they do not exist.
    const stranger = randomUUID();
    await subgraph.admin.query(
      `insert into users (id, email, password_hash, role) values ($1::uuid, $1::text || '@example.test', 'x', 'USER')`,
      [stranger],
    );
    const { rows: strangerFolders } = await subgraph.admin.query<{ id: string }>(
      `insert into folders (user_id, name) values ($1, 'Private') returning id`,
      [stranger],
    );
    strangersFolder = strangerFolders[0]!.id;
    const { rows: strangerTopics } = await subgraph.admin.query<{ id: string }>(
      `insert into topics (user_id, name) values ($1, 'Private') returning id`,
      [stranger],
    );
    strangersTopic = strangerTopics[0]!.id;
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  const search = async (filter: Record<string, unknown> | null, extra: Record<string, unknown> = {}) =>
    (await data<{ search: Page }>(SEARCH, { query: 'report', filter, ...extra })).search;

  const cases: [string, () => Record<string, unknown>, string[]][] = [
    ['nothing', () => ({}), ['pdf', 'scan', 'mixed', 'photo', 'unread']],
    ['MIME type', () => ({ mimeType: ['application/pdf'] }), ['pdf', 'mixed']],
    ['text source OCR', () => ({ textSource: ['OCR'] }), ['scan']],
    ['text sources OCR or MIXED', () => ({ textSource: ['OCR', 'MIXED'] }), ['scan', 'mixed']],
    ['text source NONE', () => ({ textSource: ['NONE'] }), ['photo']],
    ['an empty text source list', () => ({ textSource: [] }), []],
    ['folder alone', () => ({ folderId: folders.work }), ['pdf']],
    [
      'folder and its sub-folders',
      () => ({ folderId: folders.work, includeSubfolders: true }),
      ['pdf', 'scan', 'mixed'],
    ],
    [
      'a sub-folder and below',
      () => ({ folderId: folders.invoices, includeSubfolders: true }),
      ['scan', 'mixed'],
    ],
    [
      'folder, includeSubfolders false',
      () => ({ folderId: folders.invoices, includeSubfolders: false }),
      ['scan'],
    ],
    ['topic', () => ({ topicId: topics.Finance }), ['pdf', 'scan']],
    [
      'upload date range',
      () => ({ createdAfter: '2026-02-01T00:00:00Z', createdBefore: '2026-04-01T00:00:00Z' }),
      ['scan', 'mixed'],
    ],
    ['status', () => ({ status: ['UPLOADED'] }), ['unread']],
    ['text as well as the query', () => ({ text: 'expense' }), ['scan']],
    [
      'folder tree, text source and MIME type together',
      () => ({
        folderId: folders.work,
        includeSubfolders: true,
        textSource: ['OCR', 'MIXED'],
        mimeType: ['image/jpeg'],
      }),
      ['scan'],
    ],
  ];

  it.each(cases)(
    'narrows the search by %s, and totalCount counts the narrowed set',
    async (_name, filter, expected) => {
      const result = await search(filter());
      expect(result.edges.map((edge) => edge.node.id).sort()).toEqual(expected.map((key) => ids[key]).sort());
      expect(result.totalCount).toBe(expected.length);
    },
  );

  it('narrows `documents` with the same input, newest first', async () => {
    const listed = await data<{ documents: Page }>(LIST, {
      filter: { folderId: folders.work, includeSubfolders: true, textSource: ['TEXT', 'MIXED'] },
    });
    expect(listed.documents.edges.map((edge) => edge.node.id)).toEqual([ids.mixed, ids.unrelated, ids.pdf]);
    expect(listed.documents.totalCount).toBe(3);
  });

  it('pages through a filtered search with each hit exactly once', async () => {
    const filter = { folderId: folders.work, includeSubfolders: true };
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const result = await search(filter, { first: 1, after });
      seen.push(...result.edges.map((edge) => edge.node.id));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual([ids.pdf, ids.scan, ids.mixed].sort());
  });

  async function errorOf(query: string, filter: Record<string, unknown>) {
    const response = await subgraph.graphql(query, { query: 'report', filter });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors!;
    return { message: error!.message, extensions: error!.extensions };
  }

  const refused: [string, () => Record<string, unknown>, string][] = [
    ['a folder that does not exist', () => ({ folderId: randomUUID() }), 'filter.folderId'],
    ['a topic that does not exist', () => ({ topicId: randomUUID() }), 'filter.topicId'],
    ['a folder id that is no UUID', () => ({ folderId: 'folder-1' }), 'filter.folderId'],
    [
      'a date range that ends before it starts',
      () => ({ createdAfter: '2026-04-01T00:00:00Z', createdBefore: '2026-02-01T00:00:00Z' }),
      'filter.createdBefore',
    ],
    [
      'a date range that holds no instant',
      () => ({ createdAfter: '2026-04-01T00:00:00Z', createdBefore: '2026-04-01T00:00:00Z' }),
      'filter.createdBefore',
    ],
    ['includeSubfolders without a folder', () => ({ includeSubfolders: true }), 'filter.includeSubfolders'],
  ];

  describe.each([
    ['search', SEARCH],
    ['documents', LIST],
  ])('%s', (_field, query) => {
    it.each(refused)(
      'refuses %s with BAD_USER_INPUT naming the argument',
      async (_name, filter, argument) => {
        const { extensions } = await errorOf(query, filter());
        expect(extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      },
    );

    it.each([
      ['folder', 'folderId', () => strangersFolder],
      ['topic', 'topicId', () => strangersTopic],
    ])("answers another user's %s exactly as one that exists nowhere", async (_what, key, strangers) => {
      const withoutIds = (answer: { message: string; extensions: unknown }) => ({
        ...answer,
        message: answer.message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>'),
      });
      const theirs = await errorOf(query, { [key]: strangers() });
      const nowhere = await errorOf(query, { [key]: randomUUID() });
      expect(withoutIds(theirs)).toEqual(withoutIds(nowhere));
      expect(theirs.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: `filter.${key}` });
    });
  });
});
