import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

interface Topic {
  id: string;
  name: string;
  matchMode: string;
  pattern: string | null;
  caseSensitive: boolean;
}

const CREATE = `mutation($input: CreateTopicInput!) { createTopic(input: $input) { id name matchMode pattern caseSensitive } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateTopicInput!) {
  updateTopic(id: $id, input: $input) { id name matchMode pattern caseSensitive }
}`;

describe('topics', () => {
  let subgraph: DocumentsTestServer;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-topics');
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function create(input: Record<string, unknown>): Promise<Topic> {
    const response = await subgraph.graphql<{ createTopic: Topic }>(CREATE, { input });
    expect(response.errors).toBeUndefined();
    return response.data!.createTopic;
  }

  async function errorOf(query: string, variables: Record<string, unknown>) {
    const response = await subgraph.graphql(query, variables);
    expect(response.data).toBeNull();
    return response.errors?.[0]?.extensions;
  }

  it('creates a topic with a trimmed name and the defaults AUTO, no pattern, case-insensitive', async () => {
    const topic = await create({ name: '  Receipts ' });
    expect(topic).toEqual({
      id: expect.any(String),
      name: 'Receipts',
      matchMode: 'AUTO',
      pattern: null,
      caseSensitive: false,
    });
  });

  it('lists topics sorted by name, ignoring case', async () => {
    await create({ name: 'banking' });
    await create({ name: 'Archive' });
    const response = await subgraph.graphql<{ topics: { name: string }[] }>('{ topics { name } }');
    expect(response.data!.topics.map((topic) => topic.name)).toEqual(['Archive', 'banking', 'Receipts']);
  });

  it('answers CONFLICT to a duplicate name, also after trimming', async () => {
    await create({ name: 'Taxes' });
    expect(await errorOf(CREATE, { input: { name: ' Taxes ' } })).toMatchObject({
      code: 'CONFLICT',
      argument: 'input.name',
    });
  });

  it.each([
    ['a blank name', { name: '  ' }, 'input.name'],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'input.name'],
    ['ANY without a pattern', { name: 'p1', matchMode: 'ANY' }, 'input.pattern'],
    ['ALL with a blank pattern', { name: 'p2', matchMode: 'ALL', pattern: '  ' }, 'input.pattern'],
    ['EXACT without a pattern', { name: 'p3', matchMode: 'EXACT' }, 'input.pattern'],
    ['FUZZY without a pattern', { name: 'p4', matchMode: 'FUZZY' }, 'input.pattern'],
    ['REGEX that does not compile', { name: 'p5', matchMode: 'REGEX', pattern: '([a-z' }, 'input.pattern'],
    [
      'a pattern over 500 characters',
      { name: 'p6', matchMode: 'ANY', pattern: 'a'.repeat(501) },
      'input.pattern',
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_name, input, argument) => {
    expect(await errorOf(CREATE, { input })).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  });

  it('accepts NONE and AUTO without a pattern, and a REGEX that compiles', async () => {
    expect((await create({ name: 'Manual only', matchMode: 'NONE' })).matchMode).toBe('NONE');
    const regex = await create({
      name: 'Invoice numbers',
      matchMode: 'REGEX',
      pattern: '^INV-\\d{4,}$',
      caseSensitive: true,
    });
    expect(regex).toMatchObject({ matchMode: 'REGEX', pattern: '^INV-\\d{4,}$', caseSensitive: true });
  });

  it('updates the given fields only, checking the topic as a whole', async () => {
    const topic = await create({ name: 'Utilities', matchMode: 'ANY', pattern: 'electricity gas' });
    const renamed = await subgraph.graphql<{ updateTopic: Topic }>(UPDATE, {
      id: topic.id,
      input: { name: 'Bills' },
    });
    expect(renamed.data!.updateTopic).toEqual({ ...topic, name: 'Bills' });
    // To AUTO, then dropping the pattern: fine. Back to EXACT without one: refused.
    const auto = await subgraph.graphql<{ updateTopic: Topic }>(UPDATE, {
      id: topic.id,
      input: { matchMode: 'AUTO', pattern: null },
    });
    expect(auto.data!.updateTopic).toMatchObject({ matchMode: 'AUTO', pattern: null });
    expect(await errorOf(UPDATE, { id: topic.id, input: { matchMode: 'EXACT' } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'input.pattern',
    });
    expect(await errorOf(UPDATE, { id: topic.id, input: { name: 'Taxes' } })).toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('deletes a topic and its links to documents; deleting it again answers false', async () => {
    const topic = await create({ name: 'Temporary' });
    const document = await seedDocument(subgraph.admin, { title: 'Linked' });
    await subgraph.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source) values ($1, $2, 1, 'MANUAL')`,
      [document.id, topic.id],
    );
    const remove = 'mutation($id: ID!) { deleteTopic(id: $id) }';
    expect(await subgraph.graphql(remove, { id: topic.id })).toEqual({ data: { deleteTopic: true } });
    const linked = await subgraph.graphql<{ document: { topics: unknown[] } }>(
      'query($id: ID!) { document(id: $id) { topics { source } } }',
      { id: document.id },
    );
    expect(linked.data!.document.topics).toEqual([]);
    expect(await subgraph.graphql(remove, { id: topic.id })).toEqual({ data: { deleteTopic: false } });
  });
});
