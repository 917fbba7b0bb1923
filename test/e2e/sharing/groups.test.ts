import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';
import { sharingClient } from './sharing-client.ts';

// Groups through the gateway: admins manage them, every user lists their own, and a change
// of membership decides what a group's shares reach from the very next request.

let stack: Stack;
let client: ReturnType<typeof sharingClient>;
let admin: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  stack = await startStack('sharing-groups', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  client = sharingClient(stack.gatewayUrl);
  admin = await createTestUser(stack.documents.admin, { role: 'ADMIN' });
  bob = await createTestUser(stack.documents.admin);
  carol = await createTestUser(stack.documents.admin);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const CREATE = 'mutation ($n: String!) { createGroup(name: $n) { id name } }';
const ADD = 'mutation ($g: ID!, $e: String!) { addGroupMember(groupId: $g, email: $e) { id } }';
const REMOVE = 'mutation ($g: ID!, $u: ID!) { removeGroupMember(groupId: $g, userId: $u) { id } }';

async function auditActions(): Promise<string[]> {
  const { rows } = await stack.documents.admin.query<{ action: string }>(
    `select action from audit_log where action like '%GROUP%' order by at, id`,
  );
  return rows.map((row) => row.action);
}

describe('groups', () => {
  it('are created, renamed, filled and listed by admins only; names are unique', async () => {
    const created = await client.data<{ createGroup: { id: string; name: string } }>(admin, CREATE, {
      n: '  Accounting ',
    });
    expect(created.createGroup.name).toBe('Accounting');
    const groupId = created.createGroup.id;

    const taken = await client.as(admin, CREATE, { n: 'Accounting' });
    expect(client.codes(taken)).toEqual(['CONFLICT']);
    const blank = await client.as(admin, CREATE, { n: '   ' });
    expect(client.codes(blank)).toEqual(['BAD_USER_INPUT']);
    const byUser = await client.as(bob, CREATE, { n: 'Mine' });
    expect(client.codes(byUser)).toEqual(['FORBIDDEN']);
    expect(client.codes(await client.as(bob, '{ groups { id } }'))).toEqual(['FORBIDDEN']);

    const renamed = await client.data<{ renameGroup: { name: string } }>(
      admin,
      'mutation ($id: ID!) { renameGroup(id: $id, name: "Finance") { name } }',
      { id: groupId },
    );
    expect(renamed.renameGroup.name).toBe('Finance');

    await client.data(admin, ADD, { g: groupId, e: bob.email.toUpperCase() });
    await client.data(admin, ADD, { g: groupId, e: bob.email });
    await client.data(admin, ADD, { g: groupId, e: carol.email });
    const nobody = await client.as(admin, ADD, { g: groupId, e: 'nobody@example.test' });
    expect(client.codes(nobody)).toEqual(['NOT_FOUND']);

    const asAdmin = await client.data<{ groups: { name: string; members: { email: string }[] }[] }>(
      admin,
      '{ groups { name members { email } } }',
    );
    expect(asAdmin.groups).toEqual([
      { name: 'Finance', members: [bob.email, carol.email].sort().map((email) => ({ email })) },
    ]);
    const mine = await client.data<{ myGroups: { id: string; members: unknown[] }[] }>(
      bob,
      '{ myGroups { id members { email } } }',
    );
    expect(mine.myGroups).toEqual([{ id: groupId, members: [] }]);

    await client.data(admin, REMOVE, { g: groupId, u: carol.id });
    const carols = await client.data<{ myGroups: unknown[] }>(carol, '{ myGroups { id } }');
    expect(carols.myGroups).toEqual([]);

    const deleted = await client.data<{ deleteGroup: boolean }>(
      admin,
      'mutation ($id: ID!) { deleteGroup(id: $id) }',
      {
        id: groupId,
      },
    );
    expect(deleted.deleteGroup).toBe(true);
    const again = await client.data<{ deleteGroup: boolean }>(
      admin,
      'mutation ($id: ID!) { deleteGroup(id: $id) }',
      {
        id: groupId,
      },
    );
    expect(again.deleteGroup).toBe(false);
    expect(await auditActions()).toEqual([
      'CREATE_GROUP',
      'RENAME_GROUP',
      'ADD_GROUP_MEMBER',
      'ADD_GROUP_MEMBER',
      'REMOVE_GROUP_MEMBER',
      'DELETE_GROUP',
    ]);
  });

  it('decide what a group share reaches from the next request on', async () => {
    const { createGroup } = await client.data<{ createGroup: { id: string } }>(admin, CREATE, {
      n: 'Readers',
    });
    await client.data(admin, ADD, { g: createGroup.id, e: bob.email });
    await client.data(admin, ADD, { g: createGroup.id, e: carol.email });
    const report = await client.upload(bob, 'quarterly report');
    await client.share(bob, 'Document', { targetId: report, groupId: createGroup.id, role: 'VIEWER' });

    expect(await client.sees(carol, report)).toBe(true);
    expect(await client.sharedWithMe(carol)).toEqual([report]);
    // Bob is in the group too: his own document is his, not "shared with him".
    expect(await client.sharedWithMe(bob)).toEqual([]);

    await client.data(admin, REMOVE, { g: createGroup.id, u: carol.id });
    expect(await client.sees(carol, report)).toBe(false);
    expect(await client.sharedWithMe(carol)).toEqual([]);
    expect(await client.search(carol, 'quarterly')).toEqual([]);

    await client.data(admin, ADD, { g: createGroup.id, e: carol.email });
    expect(await client.sees(carol, report)).toBe(true);
    await client.data(admin, 'mutation ($id: ID!) { deleteGroup(id: $id) }', { id: createGroup.id });
    expect(await client.sees(carol, report)).toBe(false);
  });

  it('can only be shared with by their members', async () => {
    const { createGroup } = await client.data<{ createGroup: { id: string } }>(admin, CREATE, {
      n: 'Others',
    });
    await client.data(admin, ADD, { g: createGroup.id, e: carol.email });
    const memo = await client.upload(bob, 'memo');
    const answer = await client.as(
      bob,
      'mutation ($input: ShareInput!) { shareDocument(input: $input) { id } }',
      { input: { targetId: memo, groupId: createGroup.id, role: 'VIEWER' } },
    );
    expect(client.codes(answer)).toEqual(['NOT_FOUND']);
    expect(await client.sees(carol, memo)).toBe(false);
  });
});
