import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDocument } from '../../support/seed-documents.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

const CREATE =
  'mutation($name: String!, $parentId: ID) { createFolder(name: $name, parentId: $parentId) { id name parent { id name } } }';
const DELETE =
  'mutation($id: ID!, $documents: FolderDeletion) { deleteFolder(id: $id, documents: $documents) }';

describe('folders', () => {
  let subgraph: DocumentsTestServer;

  beforeAll(async () => {
    subgraph = await startDocumentsSubgraph('documents-folders');
  });

  afterAll(async () => {
    await subgraph?.close();
  });

  async function folder(name: string, parentId: string | null = null): Promise<string> {
    const response = await subgraph.graphql<{ createFolder: { id: string } }>(CREATE, { name, parentId });
    expect(response.errors).toBeUndefined();
    return response.data!.createFolder.id;
  }

  /** root ─ child ─ grandchild; child and grandchild hold a document each (with stored objects), one is outside. */
  async function tree(prefix: string) {
    const root = await folder(`${prefix} root`);
    const child = await folder('child', root);
    const grandchild = await folder('grandchild', child);
    const docs = [];
    for (const [title, folderId] of [
      ['in grandchild', grandchild],
      ['outside', null],
      ['in child', child],
    ] as const) {
      const document = await seedDocument(subgraph.admin, { title: `${prefix} ${title}`, folderId });
      await subgraph.bucket.client.putObject(subgraph.bucket.bucket, document.objectKey, Buffer.from(title));
      docs.push(document);
    }
    return { root, child, grandchild, inside: docs[0]!, outside: docs[1]!, inChild: docs[2]! };
  }

  const folderIds = async () =>
    new Set((await subgraph.admin.query<{ id: string }>('select id from folders')).rows.map((row) => row.id));
  const folderOf = async (id: string) =>
    (
      await subgraph.admin.query<{ folder_id: string | null }>(
        'select folder_id from documents where id = $1',
        [id],
      )
    ).rows[0];
  const objectExists = (key: string) =>
    subgraph.bucket.client.statObject(subgraph.bucket.bucket, key).then(
      () => true,
      () => false,
    );

  it('creates folders under folders, with a trimmed name, and resolves their parents', async () => {
    const parent = await folder('Projects');
    const response = await subgraph.graphql<{ createFolder: unknown }>(CREATE, {
      name: ' 2026 ',
      parentId: parent,
    });
    expect(response.data!.createFolder).toEqual({
      id: expect.any(String),
      name: '2026',
      parent: { id: parent, name: 'Projects' },
    });
  });

  it('answers CONFLICT to a sibling with the same name, at the root and below, but not to cousins', async () => {
    const a = await folder('Letters');
    const b = await folder('Bills');
    await folder('2025', a);
    await folder('2025', b);
    for (const variables of [{ name: 'Letters' }, { name: '2025', parentId: a }]) {
      const response = await subgraph.graphql(CREATE, variables);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', argument: 'name' });
    }
    const rename = await subgraph.graphql(
      'mutation($id: ID!) { renameFolder(id: $id, name: "Letters") { id } }',
      { id: b },
    );
    expect(rename.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses an unknown parent and a blank name with BAD_USER_INPUT', async () => {
    const unknownParent = await subgraph.graphql(CREATE, {
      name: 'x',
      parentId: '6f1c7a52-9d1e-4c3b-8a57-2f0e4b1d9c11',
    });
    expect(unknownParent.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'parentId',
    });
    const blank = await subgraph.graphql(CREATE, { name: '   ' });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'name' });
  });

  it('renames a folder', async () => {
    const id = await folder('Old name');
    const response = await subgraph.graphql(
      'mutation($id: ID!) { renameFolder(id: $id, name: " New name ") { id name } }',
      { id },
    );
    expect(response).toEqual({ data: { renameFolder: { id, name: 'New name' } } });
  });

  it('refuses to delete a folder whose sub-folder holds a document (the default), changing nothing', async () => {
    const t = await tree('refuse');
    for (const documents of [undefined, 'REFUSE_IF_NOT_EMPTY']) {
      const response = await subgraph.graphql(DELETE, { id: t.root, documents });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', documentCount: 2 });
    }
    const ids = await folderIds();
    expect([t.root, t.child, t.grandchild].every((id) => ids.has(id))).toBe(true);
    expect(await folderOf(t.inside.id)).toEqual({ folder_id: t.grandchild });
  });

  it('deletes an empty folder tree when refusing non-empty ones', async () => {
    const root = await folder('empty root');
    const child = await folder('empty child', root);
    expect(await subgraph.graphql(DELETE, { id: root })).toEqual({ data: { deleteFolder: true } });
    const ids = await folderIds();
    expect(ids.has(root) || ids.has(child)).toBe(false);
    expect(await subgraph.graphql(DELETE, { id: root })).toEqual({ data: { deleteFolder: false } });
  });

  it('moves the documents of the whole tree to the root with MOVE_DOCUMENTS_TO_ROOT', async () => {
    const t = await tree('move');
    expect(await subgraph.graphql(DELETE, { id: t.root, documents: 'MOVE_DOCUMENTS_TO_ROOT' })).toEqual({
      data: { deleteFolder: true },
    });
    const ids = await folderIds();
    expect([t.root, t.child, t.grandchild].some((id) => ids.has(id))).toBe(false);
    expect(await folderOf(t.inside.id)).toEqual({ folder_id: null });
    expect(await folderOf(t.inChild.id)).toEqual({ folder_id: null });
    expect(await objectExists(t.inside.objectKey)).toBe(true);
  });

  it('deletes the documents of the whole tree and their objects with DELETE_DOCUMENTS, and nothing else', async () => {
    const t = await tree('delete');
    const kept = await folder('unrelated');
    expect(await subgraph.graphql(DELETE, { id: t.root, documents: 'DELETE_DOCUMENTS' })).toEqual({
      data: { deleteFolder: true },
    });
    for (const gone of [t.inside, t.inChild]) {
      expect(await folderOf(gone.id)).toBeUndefined();
      expect(await objectExists(gone.objectKey)).toBe(false);
    }
    expect(await folderOf(t.outside.id)).toEqual({ folder_id: null });
    expect(await objectExists(t.outside.objectKey)).toBe(true);
    const ids = await folderIds();
    expect(ids.has(kept)).toBe(true);
    expect([t.root, t.child, t.grandchild].some((id) => ids.has(id))).toBe(false);
  });

  it('counts the documents directly in each folder', async () => {
    const root = await folder('counted');
    const child = await folder('counted child', root);
    for (const folderId of [root, child, child]) await seedDocument(subgraph.admin, { title: 'c', folderId });
    const response = await subgraph.graphql<{ folders: { id: string; documentCount: number }[] }>(
      '{ folders { id documentCount } }',
    );
    const counts = new Map(response.data!.folders.map((f) => [f.id, f.documentCount]));
    expect([counts.get(root), counts.get(child)]).toEqual([1, 2]);
  });
});
