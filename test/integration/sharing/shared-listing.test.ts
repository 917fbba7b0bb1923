import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ListCursor } from '@docuvault/documents/documents/cursor';
import {
  countDocuments,
  findDocumentsByIds,
  listDocuments,
} from '@docuvault/documents/documents/documents.repository';
import { documentFilterCondition } from '@docuvault/documents/documents/search-filters.repository';
import { listScope, sharedDocumentRoles } from '@docuvault/documents/sharing/visibility';
import { seedDocuments } from '../../support/seed-documents.ts';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// The reads that go through document_access: "shared with me" listed newest first and paged
// by keyset (a document reached by several shares listed once), counted with and without a
// filter, found by id, and its role the strongest of its shares.

let t: DocumentsTestDeps;
let owner: TestUser;
let reader: TestUser;
let shared: string[];
let failed: string;

const em = () => t.deps.em.fork();
const NO_VALUES = { sharedWithMe: true };

beforeAll(async () => {
  t = await createDocumentsTestDeps('shared-listing');
  owner = await createTestUser(t.admin);
  reader = await createTestUser(t.admin);
  // Newest first: shared[0] is the newest. Every one is shared with the reader directly;
  // shared[1] also through a group, with WRITE; the reader's own document never counts.
  shared = (await seedDocuments(t.admin, { count: 5, userId: owner.id })).map((d) => d.id);
  failed = (await seedDocuments(t.admin, { count: 1, userId: owner.id, status: 'FAILED' }))[0]!.id;
  await seedDocuments(t.admin, { count: 2, userId: reader.id });
  await seedDocuments(t.admin, { count: 3, userId: owner.id });
  const {
    rows: [group],
  } = await t.admin.query<{ id: string }>(`insert into groups (name) values ('listing group') returning id`);
  await t.admin.query(`insert into group_members (group_id, user_id) values ($1, $2), ($1, $3)`, [
    group!.id,
    reader.id,
    owner.id,
  ]);
  await t.admin.query(
    `insert into shares (document_id, grantee_user_id, permission) select unnest($1::uuid[]), $2, 'READ'`,
    [[...shared, failed], reader.id],
  );
  await t.admin.query(
    `insert into shares (document_id, grantee_group_id, permission) values ($1, $2, 'WRITE')`,
    [shared[1], group!.id],
  );
});

afterAll(async () => {
  await t?.close();
});

describe('documents shared with me', () => {
  it('come newest first, once each, page after page', async () => {
    const scope = listScope(reader.id, true);
    const filter = documentFilterCondition({ ...NO_VALUES, status: ['CLASSIFIED'] });
    const seen: string[] = [];
    let after: ListCursor | undefined;
    for (;;) {
      const page = await listDocuments(em(), scope, filter, after, 2);
      seen.push(...page.map((d) => d.id));
      const last = page.at(-1);
      if (page.length < 2 || !last) break;
      after = { createdAt: last.createdAtExact, id: last.id };
    }
    expect(seen).toEqual(shared);
  });

  it('carry the strongest role of the shares that reach them, read with the page', async () => {
    const page = await listDocuments(
      em(),
      listScope(reader.id, true),
      documentFilterCondition(NO_VALUES),
      undefined,
      10,
    );
    const roles = Object.fromEntries(page.map((d) => [d.id, d.sharedRole]));
    expect(roles).toMatchObject({ [shared[0]!]: 'VIEWER', [shared[1]!]: 'EDITOR', [failed]: 'VIEWER' });
    const own = await listDocuments(
      em(),
      listScope(reader.id, false),
      documentFilterCondition(NO_VALUES),
      undefined,
      10,
    );
    expect(own.map((d) => d.sharedRole)).toEqual([undefined, undefined]);
  });

  it('are counted once each, with a filter and without one', async () => {
    const scope = listScope(reader.id, true);
    expect(await countDocuments(em(), scope, documentFilterCondition(NO_VALUES))).toBe(6);
    expect(
      await countDocuments(em(), scope, documentFilterCondition({ ...NO_VALUES, status: ['FAILED'] })),
    ).toBe(1);
  });

  it('are none for the owner, who shares them, nor for the anonymous vault', async () => {
    const filter = documentFilterCondition(NO_VALUES);
    expect(await listDocuments(em(), listScope(owner.id, true), filter, undefined, 10)).toEqual([]);
    expect(await countDocuments(em(), listScope(owner.id, true), filter)).toBe(0);
    expect(await countDocuments(em(), listScope(null, true), filter)).toBe(0);
  });

  it('are found by id and carry the strongest role of the shares that reach them', async () => {
    const found = await findDocumentsByIds(em(), reader.id, [shared[0]!, shared[1]!]);
    expect([...found.keys()].sort()).toEqual([shared[0], shared[1]].sort());
    const roles = await sharedDocumentRoles(em(), reader.id, [shared[0]!, shared[1]!]);
    expect(Object.fromEntries(roles)).toEqual({ [shared[0]!]: 'VIEWER', [shared[1]!]: 'EDITOR' });
    expect((await sharedDocumentRoles(em(), owner.id, [shared[1]!])).size).toBe(0);
  });
});
