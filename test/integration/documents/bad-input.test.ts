import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

const UNKNOWN = '6f1c7a52-9d1e-4c3b-8a57-2f0e4b1d9c11';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('documents: ids, cursors and page sizes that are wrong', () => {
  let subgraph: DocumentsTestServer;
  let documentId: string;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-bad-input');
    documentId = (await seedDocument(subgraph.admin, { title: 'Only one' })).id;
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function errorOf(query: string, variables: Record<string, unknown> = {}) {
    const response = await subgraph.graphql(query, variables);
    expect(response.errors).toHaveLength(1);
    return response.errors![0]!.extensions;
  }

  it.each([
    ['document', 'query($id: ID!) { document(id: $id) { id } }', 'id'],
    ['updateDocument', 'mutation($id: ID!) { updateDocument(id: $id, input: { title: "x" }) { id } }', 'id'],
    ['deleteDocument', 'mutation($id: ID!) { deleteDocument(id: $id) }', 'id'],
    ['updateTopic', 'mutation($id: ID!) { updateTopic(id: $id, input: { name: "x" }) { id } }', 'id'],
    ['deleteTopic', 'mutation($id: ID!) { deleteTopic(id: $id) }', 'id'],
    ['renameFolder', 'mutation($id: ID!) { renameFolder(id: $id, name: "x") { id } }', 'id'],
    ['deleteFolder', 'mutation($id: ID!) { deleteFolder(id: $id) }', 'id'],
    ['createFolder', 'mutation($id: ID!) { createFolder(name: "x", parentId: $id) { id } }', 'parentId'],
    [
      'filter.topicId',
      'query($id: ID!) { documents(filter: { topicId: $id }) { totalCount } }',
      'filter.topicId',
    ],
    [
      'filter.folderId',
      'query($id: ID!) { documents(filter: { folderId: $id }) { totalCount } }',
      'filter.folderId',
    ],
    [
      'input.folderId',
      `mutation($id: ID!) { updateDocument(id: "${UNKNOWN}", input: { folderId: $id }) { id } }`,
      'input.folderId',
    ],
    [
      'input.topicIds',
      `mutation($id: ID!) { updateDocument(id: "${UNKNOWN}", input: { topicIds: [$id] }) { id } }`,
      'input.topicIds',
    ],
  ])('refuses an id that is not a UUID in %s with BAD_USER_INPUT', async (_field, query, argument) => {
    expect(await errorOf(query, { id: "1' or '1'='1" })).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  });

  it('refuses a malformed id in an entity representation with BAD_USER_INPUT', async () => {
    const extensions = await errorOf(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Document { id } } }',
      { r: [{ __typename: 'Document', id: 'nope' }] },
    );
    expect(extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('answers null for an unknown document, and finds a known one by its upper-case id', async () => {
    const response = await subgraph.graphql<{ unknown: null; known: { id: string } }>(
      'query($u: ID!, $k: ID!) { unknown: document(id: $u) { id } known: document(id: $k) { id } }',
      { u: UNKNOWN, k: documentId.toUpperCase() },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ unknown: null, known: { id: documentId } });
  });

  it.each([
    ['updateDocument', 'mutation($id: ID!) { updateDocument(id: $id, input: { title: "x" }) { id } }'],
    ['updateTopic', 'mutation($id: ID!) { updateTopic(id: $id, input: { name: "x" }) { id } }'],
    ['renameFolder', 'mutation($id: ID!) { renameFolder(id: $id, name: "x") { id } }'],
  ])('answers NOT_FOUND to %s of an unknown id', async (_name, query) => {
    expect(await errorOf(query, { id: UNKNOWN })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers false to deleting an unknown document, topic or folder', async () => {
    const response = await subgraph.graphql(
      `mutation($id: ID!) { d: deleteDocument(id: $id) t: deleteTopic(id: $id) f: deleteFolder(id: $id) }`,
      { id: UNKNOWN },
    );
    expect(response).toEqual({ data: { d: false, t: false, f: false } });
  });

  it.each([
    ['not base64url', '%%%'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['the wrong shape', b64({ createdAt: '2026-01-01', id: UNKNOWN })],
    ['a date that is not one', b64(['c', '2026-13-45T99:00:00.000000Z', UNKNOWN])],
    ['a date past the end of its month', b64(['c', '2026-02-30T00:00:00.000000Z', UNKNOWN])],
    ['an id that is not a UUID', b64(['c', '2026-01-01T00:00:00.000000Z', "x' or 1=1"])],
    ['a search cursor', b64(['s', 0.5, UNKNOWN])],
    ['far too long', 'A'.repeat(5_000)],
  ])('refuses a cursor that is %s with BAD_USER_INPUT', async (_name, after) => {
    expect(
      await errorOf('query($a: String) { documents(after: $a) { totalCount } }', { a: after }),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'after',
    });
  });

  it.each([
    ['a listing cursor', b64(['c', '2026-01-01T00:00:00.000000Z', UNKNOWN])],
    ['a rank beyond float4', b64(['s', 1e308, UNKNOWN])],
    ['a rank that underflows', b64(['s', 1e-60, UNKNOWN])],
    // Keys of the tail below the head lie in [-1, 0) (search.repository.ts); nothing lies below.
    ['a rank below -1', b64(['s', -2, UNKNOWN])],
  ])('refuses a search cursor that is %s with BAD_USER_INPUT', async (_name, after) => {
    const query = 'query($a: String) { search(query: "x", after: $a) { totalCount } }';
    expect(await errorOf(query, { a: after })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it.each([[0], [101], [-1]])('refuses first: %d with BAD_USER_INPUT', async (first) => {
    for (const query of [
      'query($f: Int) { documents(first: $f) { totalCount } }',
      'query($f: Int) { search(query: "x", first: $f) { totalCount } }',
    ]) {
      expect(await errorOf(query, { f: first })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
    }
  });

  it('accepts first: 1 and first: 100', async () => {
    for (const first of [1, 100]) {
      const response = await subgraph.graphql('query($f: Int) { documents(first: $f) { totalCount } }', {
        f: first,
      });
      expect(response.errors).toBeUndefined();
    }
  });
});
