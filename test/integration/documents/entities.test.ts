import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocuments } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Document { id title objectKey sizeBytes }
  }
}`;

describe('documents: batched loading', () => {
  let subgraph: DocumentsTestServer;
  let ids: string[];

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-entities');
    const folder = await subgraph.graphql<{ createFolder: { id: string } }>(
      'mutation { createFolder(name: "F") { id } }',
    );
    const topic = await subgraph.graphql<{ createTopic: { id: string } }>(
      'mutation { createTopic(input: { name: "T" }) { id } }',
    );
    ids = (await seedDocuments(subgraph.admin, { count: 100, folderId: folder.data!.createFolder.id })).map(
      (d) => d.id,
    );
    await subgraph.admin.query(
      `insert into document_topics (document_id, topic_id, confidence, source)
       select id, $1, 0.8, 'AUTO' from documents`,
      [topic.data!.createTopic.id],
    );
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  const representations = (list: string[]) => list.map((id) => ({ __typename: 'Document', id }));

  it('resolves _entities with 50 representations with one SQL query', async () => {
    const wanted = ids.slice(0, 50);
    const { result, queries } = await subgraph.recordQueries(() =>
      subgraph.graphql<{ _entities: { id: string; objectKey: string; sizeBytes: number }[] }>(ENTITIES, {
        representations: representations(wanted),
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((entity) => entity.id)).toEqual(wanted);
    expect(result.data!._entities[0]).toMatchObject({
      objectKey: expect.stringContaining('/'),
      sizeBytes: expect.any(Number),
    });
    expect(queries).toHaveLength(1);
  });

  it('answers null for unknown representations and loads repeated ones once, still in one query', async () => {
    const unknown = '6f1c7a52-9d1e-4c3b-8a57-2f0e4b1d9c11';
    const { result, queries } = await subgraph.recordQueries(() =>
      subgraph.graphql<{ _entities: ({ id: string } | null)[] }>(ENTITIES, {
        representations: representations([ids[0]!, unknown, ids[0]!.toUpperCase(), ids[1]!]),
      }),
    );
    expect(result.data!._entities.map((entity) => entity?.id ?? null)).toEqual([
      ids[0],
      null,
      ids[0],
      ids[1],
    ]);
    expect(queries).toHaveLength(1);
  });

  it.each([[10], [100]])(
    'loads topics and folders of a page of %d documents in one query each',
    async (first) => {
      const { result, queries } = await subgraph.recordQueries(() =>
        subgraph.graphql<{
          documents: { edges: { node: { topics: unknown[]; folder: { name: string } } }[] };
        }>(
          `query($first: Int) {
            documents(first: $first) {
              totalCount
              edges { node { id folder { name documentCount } topics { confidence source topic { name } } } }
            }
          }`,
          { first },
        ),
      );
      expect(result.errors).toBeUndefined();
      const edges = result.data!.documents.edges;
      expect(edges).toHaveLength(first);
      expect(edges.every((edge) => edge.node.topics.length === 1 && edge.node.folder.name === 'F')).toBe(
        true,
      );
      // The page, its count, the topics, the folder, the folder's document count.
      expect(queries).toHaveLength(5);
    },
  );

  it('resolves topics and folders of 50 entities in one query each', async () => {
    const { result, queries } = await subgraph.recordQueries(() =>
      subgraph.graphql(
        `query($representations: [_Any!]!) {
          _entities(representations: $representations) { ... on Document { id topics { confidence } folder { id } } }
        }`,
        { representations: representations(ids.slice(50)) },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(queries).toHaveLength(3);
  });
});
