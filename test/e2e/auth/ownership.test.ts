import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatewayClient, type Answer as GatewayAnswer } from '../../support/gateway-client.ts';
import { postMultipart } from '../../support/multipart.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';
import { uploadOperation } from '../../support/upload-requests.ts';

// Two users through the gateway. Bob owns a document, a folder, a topic and an upload
// ticket; Alice walks every query and mutation with Bob's ids. Each answers as if the id
// did not exist (NOT_FOUND, never FORBIDDEN, so ids do not leak), lists and searches
// show nothing of Bob's, and afterwards everything of Bob's is exactly as it was.

let stack: Stack;
let alice: TestUser;
let bob: TestUser;
const bobs = { document: '', folder: '', topic: '', ticket: '', objectKey: '' };
let alicesDocument = '';

type Answer = GatewayAnswer<Record<string, unknown>>;

const withoutIds = (message: string) => message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>');

const as = (who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<Answer> =>
  gatewayClient(stack.gatewayUrl).call(query, variables, { token: who.token });

const data = <T>(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<T> =>
  gatewayClient(stack.gatewayUrl).data<T>(query, variables, { token: who.token });

async function upload(who: TestUser, text: string, variables: Record<string, unknown> = {}) {
  return postMultipart(
    stack.gatewayUrl,
    {
      ...uploadOperation({ title: text, ...variables }),
      files: [{ field: '0', filename: 'note.txt', contentType: 'text/plain', content: `${text}\n` }],
    },
    { headers: who.headers },
  );
}

/** Everything Bob owns, as Bob sees it: compared before and after Alice's walk. */
async function bobsWorld() {
  return data(
    bob,
    `query ($d: ID!) {
      document(id: $d) { id title folder { id } topics { topic { id } } status sizeBytes }
      folders { id name }
      topics { id name pattern matchMode }
      documents(first: 50) { edges { node { id title } } }
    }`,
    { d: bobs.document },
  );
}

beforeAll(async () => {
  stack = await startStack('auth-ownership', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  alice = await createTestUser(stack.documents.admin);
  bob = await createTestUser(stack.documents.admin);
  const folder = await data<{ createFolder: { id: string } }>(
    bob,
    'mutation { createFolder(name: "Bob private") { id } }',
  );
  bobs.folder = folder.createFolder.id;
  const topic = await data<{ createTopic: { id: string } }>(
    bob,
    'mutation { createTopic(input: { name: "Bob taxes", matchMode: ANY, pattern: "zanzibar" }) { id } }',
  );
  bobs.topic = topic.createTopic.id;
  const uploaded = await upload(bob, 'zanzibar secret invoice', { folderId: bobs.folder });
  expect(uploaded.body.errors).toBeUndefined();
  bobs.document = (uploaded.body.data?.uploadDocument as { document: { id: string } }).document.id;
  const ticket = await data<{ requestUpload: { id: string } }>(
    bob,
    'mutation { requestUpload(input: { filename: "big.pdf", contentType: "application/pdf", sizeBytes: 1000 }) { id } }',
  );
  bobs.ticket = ticket.requestUpload.id;
  const mine = await upload(alice, 'alice own notes');
  alicesDocument = (mine.body.data?.uploadDocument as { document: { id: string } }).document.id;
  const { rows } = await stack.documents.admin.query<{ object_key: string }>(
    'select object_key from documents where id = $1',
    [bobs.document],
  );
  bobs.objectKey = rows[0]!.object_key;
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe("one user cannot reach another's things", () => {
  it("keeps Bob's objects under Bob's id", () => {
    expect(bobs.objectKey.startsWith(`${bob.id}/`)).toBe(true);
  });

  it('shows Alice nothing of Bob in lists, search and lookups', async () => {
    const seen = await data<{
      document: unknown;
      documents: { edges: { node: { id: string } }[] };
      search: { edges: unknown[] };
      folders: { id: string }[];
      topics: { id: string }[];
    }>(
      alice,
      `query ($d: ID!) {
        document(id: $d) { id }
        documents(first: 50) { edges { node { id } } }
        search(query: "zanzibar") { edges { node { id } } }
        folders { id }
        topics { id }
      }`,
      { d: bobs.document },
    );
    expect(seen.document).toBeNull();
    expect(seen.documents.edges.map((e) => e.node.id)).toEqual([alicesDocument]);
    expect(seen.search.edges).toEqual([]);
    expect(seen.folders.map((f) => f.id)).not.toContain(bobs.folder);
    expect(seen.topics.map((t) => t.id)).not.toContain(bobs.topic);
  });

  it.each([
    ['documents by his folder', 'documents(filter: { folderId: $id }) { totalCount }', () => bobs.folder],
    ['documents by his topic', 'documents(filter: { topicId: $id }) { totalCount }', () => bobs.topic],
    [
      'search in his folder',
      'search(query: "zanzibar", filter: { folderId: $id }) { totalCount }',
      () => bobs.folder,
    ],
    [
      'search by his topic',
      'search(query: "zanzibar", filter: { topicId: $id }) { totalCount }',
      () => bobs.topic,
    ],
  ])('answers %s as for an id that exists nowhere', async (_name, field, his) => {
    const query = `query ($id: ID!) { ${field} }`;
    const shape = (a: Answer) => ({
      data: a.data,
      errors: a.errors?.map((e) => ({ code: e.extensions?.code, message: withoutIds(e.message) })),
    });
    const answer = await as(alice, query, { id: his() });
    expect(shape(answer)).toEqual(shape(await as(alice, query, { id: randomUUID() })));
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it("answers every mutation with Bob's ids as for ids that exist nowhere, and changes nothing of his", async () => {
    const before = await bobsWorld();
    const attempts: [string, string, Record<string, unknown>][] = [
      [
        'updateDocument',
        'mutation ($id: ID!) { updateDocument(id: $id, input: { title: "mine" }) { id } }',
        { id: bobs.document },
      ],
      ['deleteDocument', 'mutation ($id: ID!) { deleteDocument(id: $id) }', { id: bobs.document }],
      [
        'reclassifyDocument',
        'mutation ($id: ID!) { reclassifyDocument(id: $id) { id } }',
        { id: bobs.document },
      ],
      [
        'renameFolder',
        'mutation ($id: ID!) { renameFolder(id: $id, name: "mine") { id } }',
        { id: bobs.folder },
      ],
      [
        'deleteFolder',
        'mutation ($id: ID!) { deleteFolder(id: $id, documents: DELETE_DOCUMENTS) }',
        { id: bobs.folder },
      ],
      [
        'createFolder in his folder',
        'mutation ($id: ID!) { createFolder(name: "x", parentId: $id) { id } }',
        { id: bobs.folder },
      ],
      [
        'updateTopic',
        'mutation ($id: ID!) { updateTopic(id: $id, input: { name: "mine" }) { id } }',
        { id: bobs.topic },
      ],
      ['deleteTopic', 'mutation ($id: ID!) { deleteTopic(id: $id) }', { id: bobs.topic }],
      [
        'move my document into his folder',
        'mutation ($id: ID!, $f: ID!) { updateDocument(id: $id, input: { folderId: $f }) { id } }',
        { id: alicesDocument, f: bobs.folder },
      ],
      [
        'tag my document with his topic',
        'mutation ($id: ID!, $t: ID!) { updateDocument(id: $id, input: { topicIds: [$t] }) { id } }',
        { id: alicesDocument, t: bobs.topic },
      ],
      [
        'completeUpload',
        'mutation ($id: ID!) { completeUpload(ticketId: $id) { document { id } } }',
        { id: bobs.ticket },
      ],
      [
        'requestUpload into his folder',
        'mutation ($f: ID!) { requestUpload(input: { filename: "a.pdf", contentType: "application/pdf", sizeBytes: 10, folderId: $f }) { id } }',
        { f: bobs.folder },
      ],
    ];
    for (const [name, query, variables] of attempts) {
      const answer = await as(alice, query, variables);
      // Exactly what an id that exists nowhere gets: nothing tells Alice that Bob's exists.
      const nowhere = Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, v === alicesDocument ? v : randomUUID()]),
      );
      const unknown = await as(alice, query, nowhere);
      const shape = (a: Answer) => ({
        data: a.data,
        errors: a.errors?.map((e) => ({ code: e.extensions?.code, message: withoutIds(e.message) })),
      });
      expect({ name, ...shape(answer) }).toEqual({ name, ...shape(unknown) });
      // Deletes answer false for what is not there; a reference inside an input (a parent
      // folder, a topic to tag with) that points nowhere is bad input; a target, NOT_FOUND.
      const refused = answer.errors?.map((e) => e.extensions?.code) ?? Object.values(answer.data ?? {});
      const expected = name.startsWith('delete')
        ? [false]
        : / (in|into|with) his /.test(name)
          ? [expect.stringMatching(/^(NOT_FOUND|BAD_USER_INPUT)$/)]
          : ['NOT_FOUND'];
      expect({ name, refused }).toEqual({ name, refused: expected });
      expect(refused).not.toContain('FORBIDDEN');
    }
    const intoHisFolder = await upload(alice, 'alice sneaks in', { folderId: bobs.folder });
    const intoNowhere = await upload(alice, 'alice sneaks nowhere', { folderId: randomUUID() });
    const codesOf = (r: typeof intoHisFolder) => r.body.errors?.map((e) => e.extensions?.code);
    expect(codesOf(intoHisFolder)).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(intoNowhere)).toEqual(codesOf(intoHisFolder));

    expect(await bobsWorld()).toEqual(before);
    const objects = await stack.documents.objectKeys();
    expect(objects).toContain(bobs.objectKey);
    expect(objects.filter((key) => key.startsWith(`${alice.id}/`))).toHaveLength(1);
  });

  it('lets Bob still use all of it', async () => {
    const answer = await data<{ completeUpload?: unknown; updateDocument: { title: string } }>(
      bob,
      'mutation ($id: ID!) { updateDocument(id: $id, input: { title: "still mine" }) { title } }',
      { id: bobs.document },
    );
    expect(answer.updateDocument.title).toBe('still mine');
  });
});

// The same walk with shares (issue 20): what a share lets Alice see she may only use as its
// role allows, and once the share or her group membership is gone, Bob's ids answer again
// exactly as ids that exist nowhere.
describe('shares open exactly what their role allows, and only while they last', () => {
  const shapeOf = (a: Answer) => ({
    data: a.data,
    errors: a.errors?.map((e) => ({ code: e.extensions?.code, message: withoutIds(e.message) })),
  });
  const share = async (input: Record<string, unknown>, kind = 'Document') =>
    (
      await data<Record<string, { id: string }>>(
        bob,
        `mutation ($i: ShareInput!) { share${kind}(input: $i) { id } }`,
        { i: input },
      )
    )[`share${kind}`]!.id;

  /** Each of Bob's ids answers Alice exactly as an id that exists nowhere. */
  async function answersLikeNowhere(ids: string[]) {
    const probes = [
      'query ($id: ID!) { document(id: $id) { id } }',
      'mutation ($id: ID!) { updateDocument(id: $id, input: { title: "mine" }) { id } }',
      'mutation ($id: ID!) { deleteDocument(id: $id) }',
      'mutation ($id: ID!) { shareDocument(input: { targetId: $id, userEmail: "x@example.test", role: VIEWER }) { id } }',
    ];
    for (const id of ids) {
      for (const query of probes) {
        const seen = shapeOf(await as(alice, query, { id }));
        const nowhere = shapeOf(await as(alice, query, { id: randomUUID() }));
        expect({ query, ...seen }).toEqual({ query, ...nowhere });
      }
    }
    const listed = await data<{ documents: { edges: { node: { id: string } }[] } }>(
      alice,
      '{ documents(filter: { sharedWithMe: true }) { edges { node { id } } } }',
    );
    expect(listed.documents.edges.map((e) => e.node.id).filter((id) => ids.includes(id))).toEqual([]);
  }

  it('lets a VIEWER read but change nothing, and an EDITOR edit but not delete or re-share', async () => {
    const before = await bobsWorld();
    const shareId = await share({ targetId: bobs.document, userEmail: alice.email, role: 'VIEWER' });
    const writes: [string, Record<string, unknown>][] = [
      [
        'mutation ($id: ID!) { updateDocument(id: $id, input: { title: "mine" }) { id } }',
        { id: bobs.document },
      ],
      [
        'mutation ($id: ID!, $t: ID!) { updateDocument(id: $id, input: { topicIds: [$t] }) { id } }',
        { id: bobs.document, t: bobs.topic },
      ],
      ['mutation ($id: ID!) { deleteDocument(id: $id) }', { id: bobs.document }],
      [
        'mutation ($id: ID!) { shareDocument(input: { targetId: $id, userEmail: "x@example.test", role: EDITOR }) { id } }',
        { id: bobs.document },
      ],
      ['mutation ($id: ID!) { updateShare(id: $id, role: EDITOR) { id } }', { id: shareId }],
    ];
    for (const [query, variables] of writes) {
      const answer = await as(alice, query, variables);
      expect({ query, codes: answer.errors?.map((e) => e.extensions?.code) }).toEqual({
        query,
        codes: [expect.stringMatching(/^(FORBIDDEN|NOT_FOUND)$/)],
      });
    }
    // Her own revocation of Bob's share answers as for a share that does not exist.
    expect(await data(alice, 'mutation ($id: ID!) { revokeShare(id: $id) }', { id: shareId })).toEqual({
      revokeShare: false,
    });
    expect(await bobsWorld()).toEqual(before);

    await data(bob, 'mutation ($id: ID!) { updateShare(id: $id, role: EDITOR) { id } }', { id: shareId });
    for (const [query, variables] of writes.slice(2)) {
      const answer = await as(alice, query, variables);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([
        expect.stringMatching(/^(FORBIDDEN|NOT_FOUND)$/),
      ]);
    }
    const edited = await data<{ updateDocument: { title: string } }>(
      alice,
      'mutation ($id: ID!) { updateDocument(id: $id, input: { title: "edited by Alice" }) { title } }',
      { id: bobs.document },
    );
    expect(edited.updateDocument.title).toBe('edited by Alice');
    expect(await stack.documents.objectKeys()).toContain(bobs.objectKey);

    await data(bob, 'mutation ($id: ID!) { revokeShare(id: $id) }', { id: shareId });
    await answersLikeNowhere([bobs.document]);
  });

  it('returns to "does not exist" when Alice leaves the group it was shared with', async () => {
    const admin = await createTestUser(stack.documents.admin, { role: 'ADMIN' });
    const group = await data<{ createGroup: { id: string } }>(
      admin,
      'mutation { createGroup(name: "Bob and Alice") { id } }',
    );
    const groupId = group.createGroup.id;
    for (const email of [bob.email, alice.email]) {
      await data(admin, 'mutation ($g: ID!, $e: String!) { addGroupMember(groupId: $g, email: $e) { id } }', {
        g: groupId,
        e: email,
      });
    }
    await share({ targetId: bobs.document, groupId, role: 'EDITOR' });
    const seen = await data<{ document: { myRole: string } | null }>(
      alice,
      'query ($id: ID!) { document(id: $id) { myRole } }',
      { id: bobs.document },
    );
    expect(seen.document).toEqual({ myRole: 'EDITOR' });
    await data(admin, 'mutation ($g: ID!, $u: ID!) { removeGroupMember(groupId: $g, userId: $u) { id } }', {
      g: groupId,
      u: alice.id,
    });
    await answersLikeNowhere([bobs.document]);
  });

  it('shares a folder without leaking the documents outside it', async () => {
    const inside = await upload(bob, 'zanzibar inside the folder', { folderId: bobs.folder });
    const insideId = (inside.body.data?.uploadDocument as { document: { id: string } }).document.id;
    const outside = await upload(bob, 'zanzibar outside the folder');
    const outsideId = (outside.body.data?.uploadDocument as { document: { id: string } }).document.id;
    const shareId = await share({ targetId: bobs.folder, userEmail: alice.email, role: 'VIEWER' }, 'Folder');
    // Bob's document in the folder is found; the one outside it (same word) is not.
    const found = await data<{
      search: { edges: { node: { id: string } }[] };
      document: { id: string } | null;
    }>(
      alice,
      'query ($id: ID!) { search(query: "zanzibar") { edges { node { id } } } document(id: $id) { id } }',
      { id: bobs.document },
    );
    expect(found.search.edges.map((e) => e.node.id)).toEqual([insideId]);
    expect(found.document).toEqual({ id: bobs.document });
    await answersLikeNowhere([outsideId]);
    await data(bob, 'mutation ($id: ID!) { revokeShare(id: $id) }', { id: shareId });
    await answersLikeNowhere([bobs.document, insideId, outsideId]);
  });
});
