import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hashLinkToken } from '@docuvault/documents/share-links/tokens';
import {
  clientOf,
  CREATE,
  DAY_MS,
  expectNotOpened,
  LINK_FIELDS,
  MAX_DAYS,
  REVOKE,
  startLinksWorld,
  UPDATE,
  upload,
  writtenRows,
  type LinksWorld,
  type LinkView,
} from './support.ts';

// The owner's side of public links through the gateway: creating one (defaults, password,
// limit; the token shown once and kept only as a hash), changing and revoking it, listing
// them on the document for its owner only; every refused write with its code and nothing
// written; the audit lines of each write; and the links going with their document.

let world: LinksWorld;
let client: ReturnType<typeof clientOf>;

beforeAll(async () => {
  world = await startLinksWorld('share-links-manage');
  client = clientOf(world);
}, 120_000);

afterAll(async () => {
  await world?.stack.close();
});

const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

async function auditOf(linkId: string) {
  const { rows } = await world.stack.documents.admin.query<{
    action: string;
    actor_id: string | null;
    target: string;
    ip: string | null;
    details: Record<string, unknown>;
  }>(
    `select action, actor_id, target, host(ip) as ip, details from audit_log
      where details->>'linkId' = $1 order by at, action`,
    [linkId],
  );
  return rows;
}

describe('creating a link', () => {
  it('defaults to 7 days, no password, no limit; the token is 256 random bits kept only as its hash', async () => {
    const before = Date.now();
    const { token, link } = await client.create();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link).toMatchObject({
      documentId: world.documentId,
      maxDownloads: null,
      downloadCount: 0,
      hasPassword: false,
      revokedAt: null,
      status: 'ACTIVE',
    });
    const expires = new Date(link.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    const { rows } = await world.stack.documents.admin.query(
      'select token_hash, password_hash from share_links where id = $1',
      [link.id],
    );
    expect(rows).toEqual([{ token_hash: hashLinkToken(token), password_hash: null }]);
  });

  it('keeps a password as an argon2 hash and takes an expiry and a limit', async () => {
    const at = inDays(2);
    const { link } = await client.create({ password: 'open sesame', expiresAt: at, maxDownloads: 4 });
    expect(link).toMatchObject({ hasPassword: true, maxDownloads: 4, expiresAt: at });
    const { rows } = await world.stack.documents.admin.query<{ password_hash: string }>(
      'select password_hash from share_links where id = $1',
      [link.id],
    );
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]!.password_hash).not.toContain('open sesame');
  });

  it('gives two links of one document two different tokens', async () => {
    const [a, b] = await Promise.all([client.create(), client.create()]);
    expect(a.token).not.toBe(b.token);
  });
});

describe('refused writes change nothing', () => {
  const createRefusals: [string, Record<string, unknown>, string, string | undefined][] = [
    [
      'an expiry in the past',
      { expiresAt: new Date(Date.now() - 60_000).toISOString() },
      'BAD_USER_INPUT',
      'expiresAt',
    ],
    ['an expiry beyond the maximum', { expiresAt: inDays(MAX_DAYS + 1) }, 'BAD_USER_INPUT', 'expiresAt'],
    ['maxDownloads 0', { maxDownloads: 0 }, 'BAD_USER_INPUT', 'maxDownloads'],
    ['maxDownloads -3', { maxDownloads: -3 }, 'BAD_USER_INPUT', 'maxDownloads'],
    ['an empty password', { password: '' }, 'BAD_USER_INPUT', 'password'],
    ['a password over 1024 characters', { password: 'p'.repeat(1025) }, 'BAD_USER_INPUT', 'password'],
    ['a malformed document id', { documentId: 'not-a-uuid' }, 'BAD_USER_INPUT', 'documentId'],
    ['a document that does not exist', { documentId: randomUUID() }, 'NOT_FOUND', undefined],
  ];

  it.each(createRefusals)('createShareLink with %s', async (_name, input, code, argument) => {
    const before = await writtenRows(world);
    const answer = await client.call(world.owner, CREATE, {
      input: { documentId: world.documentId, ...input },
    });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    if (argument) expect(answer.errors?.[0]?.extensions?.argument).toBe(argument);
    expect(await writtenRows(world)).toEqual(before);
  });

  it('createShareLink on another user’s document answers as for one that does not exist', async () => {
    const before = await writtenRows(world);
    const theirs = await client.call(world.other, CREATE, { input: { documentId: world.documentId } });
    const nowhere = await client.call(world.other, CREATE, { input: { documentId: randomUUID() } });
    const shape = (a: typeof theirs) =>
      a.errors?.map((e) => ({
        code: e.extensions?.code,
        message: e.message.replace(/[0-9a-f-]{36}/, '<id>'),
      }));
    expect(shape(theirs)).toEqual(shape(nowhere));
    expect(shape(theirs)?.[0]?.code).toBe('NOT_FOUND');
    expect(await writtenRows(world)).toEqual(before);
  });

  it('createShareLink without signing in', async () => {
    const before = await writtenRows(world);
    const answer = await client.call(null, CREATE, { input: { documentId: world.documentId } });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(await writtenRows(world)).toEqual(before);
  });

  let target: LinkView;
  let revoked: LinkView;
  beforeAll(async () => {
    target = (await client.create({ maxDownloads: 2 })).link;
    revoked = (await client.create()).link;
    await client.call(world.owner, REVOKE, { id: revoked.id });
  });

  const updateRefusals: [string, () => string, Record<string, unknown>, string, string | undefined][] = [
    [
      'an expiry in the past',
      () => target.id,
      { expiresAt: new Date(Date.now() - 1000).toISOString() },
      'BAD_USER_INPUT',
      'expiresAt',
    ],
    [
      'an expiry beyond the maximum',
      () => target.id,
      { expiresAt: inDays(MAX_DAYS + 1) },
      'BAD_USER_INPUT',
      'expiresAt',
    ],
    ['a removed expiry', () => target.id, { expiresAt: null }, 'BAD_USER_INPUT', 'expiresAt'],
    ['maxDownloads 0', () => target.id, { maxDownloads: 0 }, 'BAD_USER_INPUT', 'maxDownloads'],
    ['nothing to change', () => target.id, {}, 'BAD_USER_INPUT', 'input'],
    ['a malformed id', () => 'nope', { maxDownloads: 3 }, 'BAD_USER_INPUT', 'id'],
    ['an id that does not exist', () => randomUUID(), { maxDownloads: 3 }, 'NOT_FOUND', undefined],
    ['a revoked link', () => revoked.id, { maxDownloads: 3 }, 'CONFLICT', undefined],
  ];

  it.each(updateRefusals)('updateShareLink with %s', async (_name, id, input, code, argument) => {
    const before = await writtenRows(world);
    const answer = await client.call(world.owner, UPDATE, { id: id(), input });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    if (argument) expect(answer.errors?.[0]?.extensions?.argument).toBe(argument);
    expect(await writtenRows(world)).toEqual(before);
  });

  it('updateShareLink and revokeShareLink on another user’s link answer as for one that does not exist', async () => {
    const before = await writtenRows(world);
    const theirs = await client.call(world.other, UPDATE, { id: target.id, input: { maxDownloads: 9 } });
    const nowhere = await client.call(world.other, UPDATE, { id: randomUUID(), input: { maxDownloads: 9 } });
    const codes = (a: typeof theirs) => a.errors?.map((e) => e.extensions?.code);
    expect(codes(theirs)).toEqual(['NOT_FOUND']);
    expect(codes(theirs)).toEqual(codes(nowhere));
    expect((await client.call(world.other, REVOKE, { id: target.id })).data).toEqual({
      revokeShareLink: false,
    });
    expect((await client.call(world.other, REVOKE, { id: randomUUID() })).data).toEqual({
      revokeShareLink: false,
    });
    expect(await writtenRows(world)).toEqual(before);
    expect((await client.linkState(target.id)).status).toBe('ACTIVE');
  });

  it('revokeShareLink of a revoked link, a malformed id, or without signing in', async () => {
    const before = await writtenRows(world);
    expect((await client.call(world.owner, REVOKE, { id: revoked.id })).data).toEqual({
      revokeShareLink: false,
    });
    const malformed = await client.call(world.owner, REVOKE, { id: 'x' });
    expect(malformed.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    const guest = await client.call(null, REVOKE, { id: target.id });
    expect(guest.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const guestUpdate = await client.call(null, UPDATE, { id: target.id, input: { maxDownloads: 1 } });
    expect(guestUpdate.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(await writtenRows(world)).toEqual(before);
  });
});

describe('changing and listing', () => {
  it('moves the expiry, sets and removes the limit, and shows the owner every link newest first', async () => {
    const { link } = await client.create({ maxDownloads: 5 });
    const later = inDays(20);
    const moved = await client.call<{ updateShareLink: LinkView }>(world.owner, UPDATE, {
      id: link.id,
      input: { expiresAt: later },
    });
    expect(moved.data?.updateShareLink).toMatchObject({ expiresAt: later, maxDownloads: 5 });
    const unlimited = await client.call<{ updateShareLink: LinkView }>(world.owner, UPDATE, {
      id: link.id,
      input: { maxDownloads: null },
    });
    expect(unlimited.data?.updateShareLink).toMatchObject({ expiresAt: later, maxDownloads: null });
    const newer = (await client.create()).link;
    const listed = await client.call<{ document: { shareLinks: LinkView[] } }>(
      world.owner,
      `query ($d: ID!) { document(id: $d) { shareLinks { ${LINK_FIELDS} } } }`,
      { d: world.documentId },
    );
    const ids = listed.data!.document.shareLinks.map((l) => l.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(link.id));
  });

  it('shows no links on documents of others or without any', async () => {
    const theirs = await upload(world.stack, world.other, 'Other', 'other\n');
    const answer = await client.call<{ mine: { shareLinks: unknown[] }; alice: unknown }>(
      world.other,
      'query ($m: ID!, $a: ID!) { mine: document(id: $m) { shareLinks { id } } alice: document(id: $a) { shareLinks { id } } }',
      { m: theirs, a: world.documentId },
    );
    expect(answer.data).toEqual({ mine: { shareLinks: [] }, alice: null });
  });
});

describe('the audit log', () => {
  it('records creating, changing and revoking with the owner, the document and the address', async () => {
    const created = await client.create({ maxDownloads: 1 }, world.owner);
    const at = inDays(3);
    await client.call(
      world.owner,
      UPDATE,
      { id: created.link.id, input: { expiresAt: at, maxDownloads: 2 } },
      { ip: '203.0.113.9' },
    );
    await client.call(world.owner, REVOKE, { id: created.link.id }, { ip: '203.0.113.10' });
    const lines = await auditOf(created.link.id);
    expect(lines.map((l) => l.action)).toEqual([
      'SHARE_LINK_CREATE',
      'SHARE_LINK_UPDATE',
      'SHARE_LINK_REVOKE',
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({ actor_id: world.owner.id, target: `document:${world.documentId}` });
      expect(line.ip).toMatch(/^198\.51\.|^203\.0\.113\./);
    }
    expect(lines[0]!.details).toMatchObject({ linkId: created.link.id, maxDownloads: 1, hasPassword: false });
    expect(lines[1]!.details).toMatchObject({
      maxDownloads: { from: 1, to: 2 },
      expiresAt: { from: created.link.expiresAt, to: at },
    });
    expect(lines[1]!.ip).toBe('203.0.113.9');
    expect(lines[2]!.ip).toBe('203.0.113.10');
    expect(JSON.stringify(lines)).not.toContain(created.token);
  });
});

describe('deleting the document', () => {
  it('deletes its links: their tokens open nothing and no row is left', async () => {
    const doomed = await upload(world.stack, world.owner, 'Doomed', 'doomed\n');
    const { token } = await client.create({ documentId: doomed });
    expect((await client.open(token)).errors).toBeUndefined();
    const deleted = await client.call(world.owner, 'mutation ($id: ID!) { deleteDocument(id: $id) }', {
      id: doomed,
    });
    expect(deleted.data).toEqual({ deleteDocument: true });
    expectNotOpened(await client.open(token));
    const { rows } = await world.stack.documents.admin.query(
      'select id from share_links where document_id = $1',
      [doomed],
    );
    expect(rows).toEqual([]);
  });
});
