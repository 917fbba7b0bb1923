import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  countDownload,
  findLinksOfDocuments,
  findOwnedLink,
  findUsableLink,
  insertShareLink,
  revokeOwnedLink,
  updateShareLinkRow,
} from '@docuvault/documents/share-links/share-links.repository';
import { newLinkToken } from '@docuvault/documents/share-links/tokens';
import pg from 'pg';
import { seedDocuments } from '../../support/seed-documents.ts';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// The share-links repository against PostgreSQL as the runtime role: links are created
// only on the owner's documents, found by the hash of their token only while usable, and
// counted with one conditional UPDATE that concurrent requests cannot push past the limit.

let t: DocumentsTestDeps;
let owner: TestUser;
let stranger: TestUser;
let documentId: string;

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000);

async function link(
  options: { maxDownloads?: number | null; expiresAt?: Date; passwordHash?: string | null } = {},
) {
  const { token, hash } = newLinkToken();
  const created = await insertShareLink(t.deps.em.fork(), {
    owner: owner.id,
    documentId,
    tokenHash: hash,
    passwordHash: options.passwordHash ?? null,
    expiresAt: options.expiresAt ?? inAWeek(),
    maxDownloads: options.maxDownloads ?? null,
  });
  if (!created) throw new Error('the owner could not create a link');
  return { ...created, token, hash };
}

beforeAll(async () => {
  t = await createDocumentsTestDeps('share-links-repository');
  owner = await createTestUser(t.admin);
  stranger = await createTestUser(t.admin);
  documentId = (await seedDocuments(t.admin, { count: 1, userId: owner.id, titlePrefix: 'Lease' }))[0]!.id;
});

afterAll(async () => {
  await t?.close();
});

describe('creating', () => {
  it('creates a link on the owner’s document and reads it back with its facts', async () => {
    const created = await link({ maxDownloads: 3, passwordHash: 'argon2-hash' });
    expect(created).toMatchObject({
      documentId,
      maxDownloads: 3,
      downloadCount: 0,
      hasPassword: true,
      revokedAt: null,
    });
    const { rows } = await t.admin.query('select token_hash, password_hash from share_links where id = $1', [
      created.id,
    ]);
    expect(rows).toEqual([{ token_hash: created.hash, password_hash: 'argon2-hash' }]);
    expect(JSON.stringify(rows)).not.toContain(created.token);
  });

  it('creates nothing on another user’s document or on one that does not exist', async () => {
    const { hash } = newLinkToken();
    const base = { tokenHash: hash, passwordHash: null, expiresAt: inAWeek(), maxDownloads: null };
    const before = await t.admin.query('select count(*)::int as n from share_links');
    expect(await insertShareLink(t.deps.em.fork(), { ...base, owner: stranger.id, documentId })).toBeNull();
    expect(
      await insertShareLink(t.deps.em.fork(), {
        ...base,
        owner: owner.id,
        documentId: '00000000-0000-4000-8000-000000000000',
      }),
    ).toBeNull();
    const after = await t.admin.query('select count(*)::int as n from share_links');
    expect(after.rows).toEqual(before.rows);
  });

  it('refuses a second link with the same token hash (unique index)', async () => {
    const first = await link();
    await expect(
      insertShareLink(t.deps.em.fork(), {
        owner: owner.id,
        documentId,
        tokenHash: first.hash,
        passwordHash: null,
        expiresAt: inAWeek(),
        maxDownloads: null,
      }),
    ).rejects.toThrow(/share_links_token_hash_unique/);
  });
});

describe('the owner’s view', () => {
  it('finds a link only for the owner of its document', async () => {
    const created = await link();
    expect((await findOwnedLink(t.deps.em.fork(), owner.id, created.id))?.id).toBe(created.id);
    expect(await findOwnedLink(t.deps.em.fork(), stranger.id, created.id)).toBeNull();
  });

  it('lists the links of the owner’s documents newest first, and none to anyone else', async () => {
    const older = await link();
    const newer = await link();
    const mine = await findLinksOfDocuments(t.deps.em.fork(), owner.id, [documentId]);
    const ids = (mine.get(documentId) ?? []).map((l) => l.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    expect((await findLinksOfDocuments(t.deps.em.fork(), stranger.id, [documentId])).size).toBe(0);
  });

  it('changes the expiry and the download limit, and removes the limit with null', async () => {
    const created = await link({ maxDownloads: 2 });
    const later = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    await updateShareLinkRow(t.deps.em.fork(), created.id, { expiresAt: later, maxDownloads: 9 });
    expect(await findOwnedLink(t.deps.em.fork(), owner.id, created.id)).toMatchObject({
      expiresAt: later,
      maxDownloads: 9,
    });
    await updateShareLinkRow(t.deps.em.fork(), created.id, { maxDownloads: null });
    expect((await findOwnedLink(t.deps.em.fork(), owner.id, created.id))?.maxDownloads).toBeNull();
  });

  it('revokes once, for the owner only', async () => {
    const created = await link();
    expect(await revokeOwnedLink(t.deps.em.fork(), stranger.id, created.id)).toBeNull();
    expect(await revokeOwnedLink(t.deps.em.fork(), owner.id, created.id)).toBe(documentId);
    expect(await revokeOwnedLink(t.deps.em.fork(), owner.id, created.id)).toBeNull();
    expect((await findOwnedLink(t.deps.em.fork(), owner.id, created.id))?.revokedAt).toBeInstanceOf(Date);
  });
});

describe('the public side', () => {
  it('opens a usable link by its token hash with the document’s facts', async () => {
    const created = await link();
    expect(await findUsableLink(t.deps.em.fork(), created.hash)).toMatchObject({
      id: created.id,
      documentId,
      title: 'Lease 1',
      mimeType: 'application/pdf',
      sizeBytes: 100,
      originalFilename: 'file-1.bin',
    });
    expect(await findUsableLink(t.deps.em.fork(), newLinkToken().hash)).toBeNull();
  });

  it('does not open a link that is revoked, expired or used up', async () => {
    const revoked = await link();
    await revokeOwnedLink(t.deps.em.fork(), owner.id, revoked.id);
    const expired = await link();
    await t.admin.query(`update share_links set expires_at = now() - interval '1 second' where id = $1`, [
      expired.id,
    ]);
    const usedUp = await link({ maxDownloads: 1 });
    expect(await countDownload(t.deps.em.fork(), usedUp.id)).toBe(true);
    for (const gone of [revoked, expired, usedUp]) {
      expect(await findUsableLink(t.deps.em.fork(), gone.hash)).toBeNull();
      expect(await countDownload(t.deps.em.fork(), gone.id)).toBe(false);
    }
  });

  it('lets exactly maxDownloads of many concurrent counts succeed', async () => {
    const created = await link({ maxDownloads: 3 });
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => countDownload(t.deps.em.fork(), created.id)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(3);
    const { rows } = await t.admin.query('select download_count from share_links where id = $1', [
      created.id,
    ]);
    expect(rows).toEqual([{ download_count: 3 }]);
  });
});

describe('the table', () => {
  it('goes with its document: deleting the document deletes its links', async () => {
    const doomed = (await seedDocuments(t.admin, { count: 1, userId: owner.id }))[0]!.id;
    const { hash } = newLinkToken();
    const created = await insertShareLink(t.deps.em.fork(), {
      owner: owner.id,
      documentId: doomed,
      tokenHash: hash,
      passwordHash: null,
      expiresAt: inAWeek(),
      maxDownloads: null,
    });
    // As the runtime role, as deleteDocument does.
    const runtime = new pg.Client({ connectionString: t.database.appUrl });
    await runtime.connect();
    try {
      await runtime.query('delete from documents where id = $1', [doomed]);
      const { rows } = await runtime.query('select id from share_links where id = $1', [created?.id]);
      expect(rows).toEqual([]);
    } finally {
      await runtime.end();
    }
  });

  it('refuses a download limit below 1 and a negative count', async () => {
    const created = await link();
    await expect(
      t.admin.query('update share_links set max_downloads = 0 where id = $1', [created.id]),
    ).rejects.toThrow(/share_links_max_downloads_check/);
    await expect(
      t.admin.query('update share_links set download_count = -1 where id = $1', [created.id]),
    ).rejects.toThrow(/share_links_download_count_check/);
  });
});
