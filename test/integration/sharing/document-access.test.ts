import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';

// document_access (migrations/2026-12-04T15-45-00-create-document-access.sql) is kept by
// the database: every change below is made as the runtime role, the way the services make
// it, and afterwards the table must hold exactly what the shares, memberships and folder
// tree grant. "Exactly" is checked twice: against the rows each test expects, and against
// a derivation from scratch (the query-time walk the services used before the table).

let db: TestDatabase;
let app: pg.Pool;

beforeAll(async () => {
  db = await migratedTestDatabase('document-access');
  app = new pg.Pool({ connectionString: db.appUrl, max: 2 });
});

afterAll(async () => {
  await app?.end();
  await db?.drop();
});

const one = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T> => {
  const { rows } = await app.query<T>(text, values);
  if (!rows[0]) throw new Error(`no row from: ${text}`);
  return rows[0];
};

const user = async () =>
  (
    await one<{ id: string }>(
      `insert into users (email, password_hash) values ($1, 'not-a-hash') returning id`,
      [`access-${randomUUID()}@example.test`],
    )
  ).id;

const folder = async (owner: string, parent: string | null = null) =>
  (
    await one<{ id: string }>(
      `insert into folders (user_id, parent_id, name) values ($1, $2, $3) returning id`,
      [owner, parent, `folder ${randomUUID()}`],
    )
  ).id;

let documents = 0;
const document = async (owner: string, folderId: string | null = null) => {
  documents += 1;
  return (
    await one<{ id: string }>(
      `insert into documents (user_id, folder_id, title, original_filename, mime_type, size_bytes, sha256,
                              object_key, created_at)
       values ($1, $2, 'Doc', 'doc.pdf', 'application/pdf', 1, $3, $4, now() - make_interval(secs => $5))
       returning id`,
      [owner, folderId, randomBytes(32).toString('hex'), `${owner}/${randomUUID()}`, documents],
    )
  ).id;
};

const group = async (...members: string[]) => {
  const { id } = await one<{ id: string }>(`insert into groups (name) values ($1) returning id`, [
    `group ${randomUUID()}`,
  ]);
  for (const member of members) await addMember(id, member);
  return id;
};
const addMember = (groupId: string, userId: string) =>
  app.query(`insert into group_members (group_id, user_id) values ($1, $2)`, [groupId, userId]);

type Target = { document: string } | { folder: string };
type Grantee = { user: string } | { group: string };
const share = async (target: Target, grantee: Grantee, permission: 'READ' | 'WRITE' = 'READ') =>
  (
    await one<{ id: string }>(
      `insert into shares (document_id, folder_id, grantee_user_id, grantee_group_id, permission)
       values ($1, $2, $3, $4, $5) returning id`,
      [
        'document' in target ? target.document : null,
        'folder' in target ? target.folder : null,
        'user' in grantee ? grantee.user : null,
        'group' in grantee ? grantee.group : null,
        permission,
      ],
    )
  ).id;

/** What one user may read through shares: document id → strongest permission. */
async function accessOf(userId: string): Promise<Record<string, string>> {
  const { rows } = await app.query<{ id: string; permission: string }>(
    `select document_id as id, max(permission) as permission from document_access
      where user_id = $1 group by document_id`,
    [userId],
  );
  return Object.fromEntries(rows.map((row) => [row.id, row.permission]));
}

// The rules, walked from scratch: each share's recipients (its user, or its group's
// members) times its documents (its document, or those in its folder and below whose owner
// owns the folder holding them), never the document's owner.
const DERIVED = `
  with recursive recipients as (
    select s.id as share_id, s.grantee_user_id as user_id, null::uuid as group_id from shares s
     where s.grantee_user_id is not null
    union all
    select s.id, gm.user_id, gm.group_id from shares s join group_members gm on gm.group_id = s.grantee_group_id),
  tree(share_id, folder_id) as (
    select s.id, s.folder_id from shares s where s.folder_id is not null
    union
    select t.share_id, f.id from tree t join folders f on f.parent_id = t.folder_id),
  covered(share_id, document_id) as (
    select s.id, s.document_id from shares s where s.document_id is not null
    union
    select t.share_id, d.id from tree t join folders f on f.id = t.folder_id
      join documents d on d.folder_id = f.id and d.user_id = f.user_id)
  select r.share_id, r.user_id, c.document_id, r.group_id, s.permission, d.created_at
    from recipients r join covered c on c.share_id = r.share_id
    join shares s on s.id = r.share_id join documents d on d.id = c.document_id
   where r.user_id is distinct from d.user_id`;

const ROW = `share_id::text || ' ' || user_id || ' ' || document_id || ' ' || coalesce(group_id::text, '-')
  || ' ' || permission || ' ' || created_at::text`;

afterEach(async () => {
  const stored = await app.query<{ row: string }>(`select ${ROW} as row from document_access order by 1`);
  const derived = await app.query<{ row: string }>(`select ${ROW} as row from (${DERIVED}) x order by 1`);
  expect(stored.rows.map((r) => r.row)).toEqual(derived.rows.map((r) => r.row));
});

describe('shares with a user', () => {
  it('grants on share, follows a role change and disappears on revocation', async () => {
    const [owner, reader] = [await user(), await user()];
    const doc = await document(owner);
    const id = await share({ document: doc }, { user: reader });
    expect(await accessOf(reader)).toEqual({ [doc]: 'READ' });
    await app.query(`update shares set permission = 'WRITE' where id = $1`, [id]);
    expect(await accessOf(reader)).toEqual({ [doc]: 'WRITE' });
    await app.query(`delete from shares where id = $1`, [id]);
    expect(await accessOf(reader)).toEqual({});
  });

  it('keeps the strongest of several shares and falls back when the stronger one goes', async () => {
    const [owner, reader] = [await user(), await user()];
    const parent = await folder(owner);
    const doc = await document(owner, parent);
    await share({ folder: parent }, { user: reader }, 'READ');
    const direct = await share({ document: doc }, { user: reader }, 'WRITE');
    expect(await accessOf(reader)).toEqual({ [doc]: 'WRITE' });
    await app.query(`delete from shares where id = $1`, [direct]);
    expect(await accessOf(reader)).toEqual({ [doc]: 'READ' });
  });

  it('never writes a row for the owner, even when a group shares their own document with them', async () => {
    const [owner, other] = [await user(), await user()];
    const doc = await document(owner);
    await share({ document: doc }, { group: await group(owner, other) });
    expect(await accessOf(owner)).toEqual({});
    expect(await accessOf(other)).toEqual({ [doc]: 'READ' });
  });
});

describe('groups', () => {
  it('grants to a member added later and withdraws from a member removed', async () => {
    const [owner, early, late] = [await user(), await user(), await user()];
    const team = await group(early);
    const doc = await document(owner);
    await share({ document: doc }, { group: team }, 'WRITE');
    expect(await accessOf(late)).toEqual({});
    await addMember(team, late);
    expect(await accessOf(late)).toEqual({ [doc]: 'WRITE' });
    await app.query(`delete from group_members where group_id = $1 and user_id = $2`, [team, early]);
    expect(await accessOf(early)).toEqual({});
    expect(await accessOf(late)).toEqual({ [doc]: 'WRITE' });
  });

  it('withdraws everything a deleted group gave, and nothing given another way', async () => {
    const [owner, reader] = [await user(), await user()];
    const [viaGroup, direct] = [await document(owner), await document(owner)];
    const team = await group(reader);
    await share({ document: viaGroup }, { group: team });
    await share({ document: direct }, { user: reader });
    await share({ document: direct }, { group: team });
    await app.query(`delete from groups where id = $1`, [team]);
    expect(await accessOf(reader)).toEqual({ [direct]: 'READ' });
  });
});

describe('folder shares', () => {
  it('cover documents and sub-folders added later, and stop at the folder', async () => {
    const [owner, reader] = [await user(), await user()];
    const shared = await folder(owner);
    const outside = await folder(owner);
    const before = await document(owner, shared);
    await share({ folder: shared }, { user: reader });
    const sub = await folder(owner, shared);
    const later = await document(owner, shared);
    const deep = await document(owner, await folder(owner, sub));
    await document(owner, outside);
    await document(owner);
    expect(await accessOf(reader)).toEqual({ [before]: 'READ', [later]: 'READ', [deep]: 'READ' });
  });

  it('follow a document moved out, into and between folders', async () => {
    const [owner, reader] = [await user(), await user()];
    const shared = await folder(owner);
    const other = await folder(owner);
    const doc = await document(owner, shared);
    await share({ folder: shared }, { user: reader });
    await app.query(`update documents set folder_id = $2 where id = $1`, [doc, other]);
    expect(await accessOf(reader)).toEqual({});
    await app.query(`update documents set folder_id = $2 where id = $1`, [doc, shared]);
    expect(await accessOf(reader)).toEqual({ [doc]: 'READ' });
    await app.query(`update documents set folder_id = null where id = $1`, [doc]);
    expect(await accessOf(reader)).toEqual({});
  });

  it('follow a sub-folder moved out of and back into the shared tree', async () => {
    const [owner, reader] = [await user(), await user()];
    const shared = await folder(owner);
    const sub = await folder(owner, shared);
    const doc = await document(owner, await folder(owner, sub));
    await share({ folder: shared }, { user: reader });
    expect(await accessOf(reader)).toEqual({ [doc]: 'READ' });
    await app.query(`update folders set parent_id = null where id = $1`, [sub]);
    expect(await accessOf(reader)).toEqual({});
    await app.query(`update folders set parent_id = $2 where id = $1`, [sub, shared]);
    expect(await accessOf(reader)).toEqual({ [doc]: 'READ' });
  });

  it('keep a document’s own share when its folder is deleted', async () => {
    const [owner, reader] = [await user(), await user()];
    const shared = await folder(owner);
    const inFolder = await document(owner, await folder(owner, shared));
    const alsoDirect = await document(owner, shared);
    await share({ folder: shared }, { user: reader });
    await share({ document: alsoDirect }, { user: reader }, 'WRITE');
    await app.query(`delete from folders where id = $1`, [shared]);
    // inFolder's sub-folder went with the folder; the document is left at the root, unshared.
    expect(await accessOf(reader)).toEqual({ [alsoDirect]: 'WRITE' });
    expect(Object.keys(await accessOf(reader))).not.toContain(inFolder);
  });
});

describe('deletions', () => {
  it('drop the rows of a deleted document', async () => {
    const [owner, reader] = [await user(), await user()];
    const shared = await folder(owner);
    const [kept, gone] = [await document(owner, shared), await document(owner, shared)];
    await share({ folder: shared }, { group: await group(reader) });
    await app.query(`delete from documents where id = $1`, [gone]);
    expect(await accessOf(reader)).toEqual({ [kept]: 'READ' });
  });

  it('drop everything of a deleted recipient and everything a deleted owner shared', async () => {
    const [owner, reader, bystander] = [await user(), await user(), await user()];
    const doc = await document(owner);
    const team = await group(reader, bystander);
    await share({ document: doc }, { group: team });
    await share({ document: doc }, { user: reader });
    await app.query(`delete from users where id = $1`, [reader]);
    expect(await accessOf(reader)).toEqual({});
    expect(await accessOf(bystander)).toEqual({ [doc]: 'READ' });
    await app.query(`delete from users where id = $1`, [owner]);
    expect(await accessOf(bystander)).toEqual({});
  });
});

describe('concurrent changes', () => {
  it('do not let a member removed meanwhile keep a document filed into a folder shared with the group', async () => {
    const [owner, leaving] = [await user(), await user()];
    const shared = await folder(owner);
    const team = await group(leaving);
    await share({ folder: shared }, { group: team });
    const [removal, filing] = [await app.connect(), await app.connect()];
    try {
      await removal.query('begin');
      await removal.query(`delete from group_members where group_id = $1 and user_id = $2`, [team, leaving]);
      await filing.query('begin');
      const filed = filing.query<{ id: string }>(
        `insert into documents (user_id, folder_id, title, original_filename, mime_type, size_bytes, sha256, object_key)
         values ($1, $2, 'Doc', 'doc.pdf', 'application/pdf', 1, $3, $4) returning id`,
        [owner, shared, randomBytes(32).toString('hex'), `${owner}/${randomUUID()}`],
      );
      // The filing waits for the group's lock; give it time to get there before the removal commits.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await removal.query('commit');
      await filed;
      await filing.query('commit');
    } finally {
      removal.release();
      filing.release();
    }
    expect(await accessOf(leaving)).toEqual({});
  });
});

describe('the runtime role', () => {
  it('reads document_access but cannot write it', async () => {
    await expect(app.query(`delete from document_access`)).rejects.toMatchObject({ code: '42501' });
    await expect(app.query(`update document_access set permission = 'WRITE'`)).rejects.toMatchObject({
      code: '42501',
    });
  });
});
