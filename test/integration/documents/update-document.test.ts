import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

const UNKNOWN = '6f1c7a52-9d1e-4c3b-8a57-2f0e4b1d9c11';

interface UpdatedDocument {
  id: string;
  title: string;
  updatedAt: string;
  folder: { id: string } | null;
  topics: { topic: { name: string }; confidence: number; source: string }[];
}

const UPDATE = `mutation Update($id: ID!, $input: UpdateDocumentInput!) {
  updateDocument(id: $id, input: $input) {
    id title updatedAt folder { id } topics { topic { name } confidence source }
  }
}`;

describe('documents: updateDocument', () => {
  let subgraph: DocumentsTestServer;
  const topics: Record<string, string> = {};
  let folderId: string;
  let documentId: string;

  async function update(input: Record<string, unknown>) {
    return subgraph.graphql<{ updateDocument: UpdatedDocument }>(UPDATE, { id: documentId, input });
  }

  async function updated(input: Record<string, unknown>): Promise<UpdatedDocument> {
    const response = await update(input);
    expect(response.errors).toBeUndefined();
    return response.data!.updateDocument;
  }

  async function current(): Promise<UpdatedDocument> {
    const response = await subgraph.graphql<{ document: UpdatedDocument }>(
      'query($id: ID!) { document(id: $id) { id title updatedAt folder { id } topics { topic { name } confidence source } } }',
      { id: documentId },
    );
    return response.data!.document;
  }

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-update');
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) {
      const response = await subgraph.graphql<{ createTopic: { id: string } }>(
        'mutation($name: String!) { createTopic(input: { name: $name }) { id } }',
        { name },
      );
      topics[name] = response.data!.createTopic.id;
    }
    const folder = await subgraph.graphql<{ createFolder: { id: string } }>(
      'mutation { createFolder(name: "Inbox") { id } }',
    );
    folderId = folder.data!.createFolder.id;
  });

  beforeEach(async () => {
    // A document as the classifier left it: Gamma guessed (AUTO), Beta by a rule (RULE).
    documentId = (
      await seedDocument(subgraph.admin, { title: 'Original', createdAt: new Date('2026-01-01T00:00:00Z') })
    ).id;
    await subgraph.admin.query(`update documents set updated_at = created_at where id = $1`, [documentId]);
    await subgraph.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source) values ($1, $2, 0.6, 'AUTO'), ($1, $3, 0.4, 'RULE')`,
      [documentId, topics.Gamma, topics.Beta],
    );
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  it('sets manual topics with source MANUAL and confidence 1, taking over a rule row and keeping the others', async () => {
    const document = await updated({ topicIds: [topics.Alpha, topics.Beta] });
    expect(document.topics).toEqual([
      { topic: { name: 'Alpha' }, confidence: 1, source: 'MANUAL' },
      { topic: { name: 'Beta' }, confidence: 1, source: 'MANUAL' },
      { topic: { name: 'Gamma' }, confidence: 0.6, source: 'AUTO' },
    ]);
  });

  it('replaces the manual topics on the next call', async () => {
    await updated({ topicIds: [topics.Alpha, topics.Beta] });
    const document = await updated({ topicIds: [topics.Gamma, topics.Delta] });
    expect(document.topics).toEqual([
      { topic: { name: 'Delta' }, confidence: 1, source: 'MANUAL' },
      { topic: { name: 'Gamma' }, confidence: 1, source: 'MANUAL' },
    ]);
    const cleared = await updated({ topicIds: [] });
    expect(cleared.topics).toEqual([]);
  });

  it('rejects unknown topic ids, naming them, without changing anything', async () => {
    await updated({ topicIds: [topics.Alpha] });
    const before = await current();
    const response = await update({ title: 'Changed', folderId, topicIds: [topics.Delta, UNKNOWN] });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.topicIds',
      unknownTopicIds: [UNKNOWN],
    });
    expect(response.errors?.[0]?.message).toContain(UNKNOWN);
    expect(await current()).toEqual(before);
  });

  it('trims the title and bumps updatedAt', async () => {
    const document = await updated({ title: '  Renamed  ' });
    expect(document.title).toBe('Renamed');
    expect(Date.parse(document.updatedAt)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
  });

  it.each([
    ['blank', '   '],
    ['longer than 500 characters', 'x'.repeat(501)],
  ])('refuses a title that is %s with BAD_USER_INPUT', async (_name, title) => {
    const response = await update({ title });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.title',
    });
    expect((await current()).title).toBe('Original');
  });

  it('accepts a title of 500 characters counted as people count them', async () => {
    const title = '📄'.repeat(500);
    expect((await updated({ title })).title).toBe(title);
  });

  it('moves the document into a folder, leaves it there when folderId is absent, and takes it out with null', async () => {
    expect((await updated({ folderId })).folder).toEqual({ id: folderId });
    expect((await updated({ title: 'Still filed' })).folder).toEqual({ id: folderId });
    expect((await updated({ folderId: null })).folder).toBeNull();
  });

  it('refuses a folder that does not exist with BAD_USER_INPUT', async () => {
    const response = await update({ folderId: UNKNOWN });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.folderId',
    });
  });
});
