import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';
import { sharingClient } from './sharing-client.ts';

// Shares with people through the gateway: what a VIEWER and an EDITOR see and may do, a
// folder share reaching present and future documents below it and nothing beside it,
// downloads for recipients, and revocation holding from the next request.

let stack: Stack;
let client: ReturnType<typeof sharingClient>;
let bob: TestUser;
let alice: TestUser;

beforeAll(async () => {
  stack = await startStack('sharing-shares', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  client = sharingClient(stack.gatewayUrl);
  bob = await createTestUser(stack.documents.admin);
  alice = await createTestUser(stack.documents.admin);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const DOCUMENT = `query ($id: ID!) { document(id: $id) {
  id title myRole owner { email } shares { id role user { email } } download { url } } }`;
const UPDATE_ROLE = 'mutation ($id: ID!, $r: ShareRole!) { updateShare(id: $id, role: $r) { id role } }';
const REVOKE = 'mutation ($id: ID!) { revokeShare(id: $id) }';
const RETITLE =
  'mutation ($id: ID!, $t: String!) { updateDocument(id: $id, input: { title: $t }) { title } }';

interface Seen {
  document: {
    id: string;
    title: string;
    myRole: string;
    owner: { email: string };
    shares: { id: string; role: string; user: { email: string } | null }[];
    download: { url: string };
  } | null;
}

async function usedBytes(who: TestUser): Promise<number> {
  const { rows } = await stack.documents.admin.query<{ used: string }>(
    'select used_bytes::text as used from quotas where user_id = $1',
    [who.id],
  );
  return Number(rows[0]?.used);
}

describe('a document shared with a user', () => {
  let contract = '';
  let shareId = '';

  beforeAll(async () => {
    contract = await client.upload(bob, 'lease contract');
    shareId = await client.share(bob, 'Document', {
      targetId: contract,
      userEmail: alice.email,
      role: 'VIEWER',
    });
  });

  it('is read, listed, found and downloaded by its VIEWER, who sees its owner but not its shares', async () => {
    const seen = await client.data<Seen>(alice, DOCUMENT, { id: contract });
    expect(seen.document).toMatchObject({
      id: contract,
      myRole: 'VIEWER',
      owner: { email: bob.email },
      shares: [],
    });
    const bytes = await fetch(seen.document!.download.url);
    expect(await bytes.text()).toBe('lease contract\n');
    expect(await client.sharedWithMe(alice)).toEqual([contract]);
    expect(await client.search(alice, 'lease')).toEqual([contract]);
    const own = await client.data<{ documents: { edges: unknown[] } }>(
      alice,
      '{ documents { edges { cursor } } }',
    );
    expect(own.documents.edges).toEqual([]);
    const quota = await client.as(
      alice,
      'query ($id: ID!) { document(id: $id) { owner { quota { usedBytes } } } }',
      {
        id: contract,
      },
    );
    expect(client.codes(quota)).toEqual(['FORBIDDEN']);
  });

  it('lists its shares for its owner', async () => {
    const seen = await client.data<Seen>(bob, DOCUMENT, { id: contract });
    expect(seen.document).toMatchObject({
      myRole: 'OWNER',
      shares: [{ id: shareId, role: 'VIEWER', user: { email: alice.email } }],
    });
  });

  it('cannot be changed by a VIEWER, and is retitled but not deleted or re-shared by an EDITOR', async () => {
    expect(client.codes(await client.as(alice, RETITLE, { id: contract, t: 'mine' }))).toEqual(['FORBIDDEN']);
    const carol = await createTestUser(stack.documents.admin);
    await client.data(bob, UPDATE_ROLE, { id: shareId, r: 'EDITOR' });
    const before = await usedBytes(bob);

    const retitled = await client.data<{ updateDocument: { title: string } }>(alice, RETITLE, {
      id: contract,
      t: 'lease contract (signed)',
    });
    expect(retitled.updateDocument.title).toBe('lease contract (signed)');
    const deletion = await client.as(alice, 'mutation ($id: ID!) { deleteDocument(id: $id) }', {
      id: contract,
    });
    expect(client.codes(deletion)).toEqual(['FORBIDDEN']);
    const reshare = await client.as(alice, 'mutation ($i: ShareInput!) { shareDocument(input: $i) { id } }', {
      i: { targetId: contract, userEmail: carol.email, role: 'VIEWER' },
    });
    expect(client.codes(reshare)).toEqual(['FORBIDDEN']);
    // A public link hands the document on as a share does: the owner's alone, and the owner's links stay unseen.
    await client.data(bob, 'mutation ($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }', {
      i: { documentId: contract },
    });
    const link = await client.as(
      alice,
      'mutation ($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
      { i: { documentId: contract } },
    );
    expect(client.codes(link)).toEqual(['FORBIDDEN']);
    const links = await client.data<{ document: { shareLinks: unknown[] } }>(
      alice,
      'query ($id: ID!) { document(id: $id) { shareLinks { id } } }',
      { id: contract },
    );
    expect(links.document.shareLinks).toEqual([]);
    const toRoot = await client.as(
      alice,
      'mutation ($id: ID!) { updateDocument(id: $id, input: { folderId: null }) { id } }',
      { id: contract },
    );
    expect(client.codes(toRoot)).toEqual(['FORBIDDEN']);
    const mine = await client.folder(alice, 'Alice folder');
    const intoMine = await client.as(
      alice,
      'mutation ($id: ID!, $f: ID!) { updateDocument(id: $id, input: { folderId: $f }) { id } }',
      { id: contract, f: mine },
    );
    expect(client.codes(intoMine)).toEqual(['FORBIDDEN']);
    expect(await client.sees(carol, contract)).toBe(false);
    expect(await usedBytes(bob)).toBe(before);
    expect(await usedBytes(alice)).toBe(0);
    const seen = await client.data<Seen>(alice, DOCUMENT, { id: contract });
    expect(seen.document?.myRole).toBe('EDITOR');
  });

  it('is out of reach from the request after its revocation: no lookup, listing, search or download', async () => {
    const revoked = await client.data<{ revokeShare: boolean }>(bob, REVOKE, { id: shareId });
    expect(revoked.revokeShare).toBe(true);
    const seen = await client.as<Seen>(alice, DOCUMENT, { id: contract });
    expect(seen).toMatchObject({ data: { document: null } });
    expect(seen.errors).toBeUndefined();
    expect(await client.sharedWithMe(alice)).toEqual([]);
    expect(await client.search(alice, 'lease')).toEqual([]);
    const again = await client.data<{ revokeShare: boolean }>(bob, REVOKE, { id: shareId });
    expect(again.revokeShare).toBe(false);
  });

  it('writes every share change to the audit log with actor, target and address', async () => {
    const { rows } = await stack.documents.admin.query<{ action: string; actor_id: string; target: string }>(
      `select action, actor_id, target from audit_log where target = $1 order by at, id`,
      [`share:${shareId}`],
    );
    expect(rows).toEqual(
      ['CREATE_SHARE', 'UPDATE_SHARE', 'REVOKE_SHARE'].map((action) => ({
        action,
        actor_id: bob.id,
        target: `share:${shareId}`,
      })),
    );
  });
});

describe('a folder shared with a user', () => {
  it('reaches the documents in it and below it, present and future, and nothing beside it', async () => {
    const projects = await client.folder(bob, 'Projects');
    const drafts = await client.folder(bob, 'Drafts', projects);
    const elsewhere = await client.folder(bob, 'Elsewhere');
    const plan = await client.upload(bob, 'project plan', projects);
    const draft = await client.upload(bob, 'draft budget', drafts);
    const outside = await client.upload(bob, 'project secrets', elsewhere);
    const atRoot = await client.upload(bob, 'project diary');
    const shareId = await client.share(bob, 'Folder', {
      targetId: projects,
      userEmail: alice.email,
      role: 'EDITOR',
    });
    const later = await client.upload(bob, 'project minutes', drafts);

    expect(await client.sharedWithMe(alice)).toEqual([plan, draft, later].sort());
    expect(await client.search(alice, 'project')).toEqual([plan, later].sort());
    expect(await client.sees(alice, outside)).toBe(false);
    expect(await client.sees(alice, atRoot)).toBe(false);
    const folder = await client.data<{
      document: { folder: { id: string; shares: unknown[]; documentCount: number } };
    }>(alice, 'query ($id: ID!) { document(id: $id) { folder { id shares { id } documentCount } } }', {
      id: draft,
    });
    expect(folder.document.folder).toEqual({ id: drafts, shares: [], documentCount: 2 });
    const owners = await client.data<{ folders: { id: string; shares: { id: string }[] }[] }>(
      bob,
      '{ folders { id shares { id } } }',
    );
    expect(owners.folders.find((f) => f.id === projects)?.shares).toEqual([{ id: shareId }]);

    // An EDITOR moves within the shared tree, never out of it.
    const within = await client.as(
      alice,
      'mutation ($id: ID!, $f: ID!) { updateDocument(id: $id, input: { folderId: $f }) { folder { id } } }',
      { id: plan, f: drafts },
    );
    expect(within.errors).toBeUndefined();
    const out = await client.as(
      alice,
      'mutation ($id: ID!, $f: ID!) { updateDocument(id: $id, input: { folderId: $f }) { id } }',
      { id: plan, f: elsewhere },
    );
    expect(client.codes(out)).toEqual(['BAD_USER_INPUT']);

    await client.data(bob, REVOKE, { id: shareId });
    expect(await client.sharedWithMe(alice)).toEqual([]);
  });

  it('is renamed by an EDITOR and not by a VIEWER, and deleted by neither', async () => {
    const RENAME = 'mutation ($id: ID!, $n: String!) { renameFolder(id: $id, name: $n) { id name } }';
    const DELETE = 'mutation ($id: ID!) { deleteFolder(id: $id, documents: DELETE_DOCUMENTS) }';
    const carol = await createTestUser(stack.documents.admin);
    const cases = await client.folder(bob, 'Cases');
    const closed = await client.folder(bob, 'Closed', cases);
    await client.folder(bob, 'Archive', cases);
    const memo = await client.upload(bob, 'case memo', closed);
    await client.share(bob, 'Folder', { targetId: cases, userEmail: alice.email, role: 'EDITOR' });
    await client.share(bob, 'Folder', { targetId: cases, userEmail: carol.email, role: 'VIEWER' });

    // The EDITOR renames the shared folder and one below it, in the owner's tree.
    expect(await client.data(alice, RENAME, { id: cases, n: 'Court cases' })).toEqual({
      renameFolder: { id: cases, name: 'Court cases' },
    });
    expect(await client.data(alice, RENAME, { id: closed, n: 'Settled' })).toEqual({
      renameFolder: { id: closed, name: 'Settled' },
    });
    // Sibling names stay unique in the owner's tree, whoever renames.
    expect(client.codes(await client.as(alice, RENAME, { id: closed, n: 'Archive' }))).toEqual(['CONFLICT']);

    const viewer = await client.as(carol, RENAME, { id: cases, n: 'Mine now' });
    expect(client.codes(viewer)).toEqual(['FORBIDDEN']);
    expect(viewer.errors?.[0]?.message).toMatch(/folder is shared with you as VIEWER/);
    for (const who of [alice, carol]) {
      const deleted = await client.as(who, DELETE, { id: closed });
      expect(client.codes(deleted)).toEqual(['FORBIDDEN']);
      expect(deleted.errors?.[0]?.message).toMatch(/only the owner of a folder may delete it/);
    }

    const owners = await client.data<{ folders: { id: string; name: string }[] }>(
      bob,
      '{ folders { id name } }',
    );
    expect(
      owners.folders
        .filter((f) => f.id === cases || f.id === closed)
        .map((f) => f.name)
        .sort(),
    ).toEqual(['Court cases', 'Settled']);
    expect(await client.sees(bob, memo)).toBe(true);
    // Nobody else's folder is renamed through a share of another.
    const elsewhere = await client.folder(bob, 'Not shared');
    expect(client.codes(await client.as(alice, RENAME, { id: elsewhere, n: 'x' }))).toEqual(['NOT_FOUND']);
  });

  it('refuses uploads into it by a recipient, saying why, and charges nobody', async () => {
    const inbox = await client.folder(bob, 'Inbox');
    await client.share(bob, 'Folder', { targetId: inbox, userEmail: alice.email, role: 'EDITOR' });
    const before = [await usedBytes(alice), await usedBytes(bob)];
    const { postMultipart } = await import('../../support/multipart.ts');
    const { uploadOperation } = await import('../../support/upload-requests.ts');
    const response = await postMultipart(
      stack.gatewayUrl,
      {
        ...uploadOperation({ title: 'sneaked in', folderId: inbox }),
        files: [{ field: '0', filename: 'n.txt', contentType: 'text/plain', content: 'sneaked in\n' }],
      },
      { headers: alice.headers },
    );
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(response.body.errors?.[0]?.message).toMatch(/folder shared with you/);
    expect([await usedBytes(alice), await usedBytes(bob)]).toEqual(before);
  });
});

describe('share input', () => {
  it('refuses bad input and changes nothing', async () => {
    const memo = await client.upload(bob, 'memo to share');
    const attempts = [
      { targetId: memo, role: 'VIEWER' },
      { targetId: memo, userEmail: alice.email, groupId: memo, role: 'VIEWER' },
      { targetId: memo, userEmail: bob.email, role: 'VIEWER' },
      { targetId: 'not-an-id', userEmail: alice.email, role: 'VIEWER' },
    ];
    for (const input of attempts) {
      const answer = await client.as(bob, 'mutation ($i: ShareInput!) { shareDocument(input: $i) { id } }', {
        i: input,
      });
      expect({ input, codes: client.codes(answer) }).toEqual({ input, codes: ['BAD_USER_INPUT'] });
    }
    const unknown = await client.as(bob, 'mutation ($i: ShareInput!) { shareDocument(input: $i) { id } }', {
      i: { targetId: memo, userEmail: 'nobody@example.test', role: 'VIEWER' },
    });
    expect(client.codes(unknown)).toEqual(['NOT_FOUND']);
    const { rows } = await stack.documents.admin.query('select id from shares where document_id = $1', [
      memo,
    ]);
    expect(rows).toEqual([]);
  });
});
