import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rootOperations } from './guest-walk.ts';
import {
  clientOf,
  DAY_MS,
  expectNotOpened,
  freshIp,
  PEEK,
  PER_IP,
  startLinksWorld,
  WINDOW_SECONDS,
  type LinksWorld,
} from './support.ts';

// Public links through the gateway, opened without an account: the document's facts and a
// download URL that serves its bytes; one answer (null, NOT_FOUND) for every token that does
// not open it; the download limit held under concurrency; a per-address limit on attempts;
// and nothing else of the API open to a caller without a token.

let world: LinksWorld;
let client: ReturnType<typeof clientOf>;

beforeAll(async () => {
  world = await startLinksWorld('share-links-open');
  client = clientOf(world);
}, 120_000);

afterAll(async () => {
  await world?.stack.close();
});

describe('a link without a password or a limit', () => {
  it('opens anonymously with the title, type, size and a download URL serving the bytes', async () => {
    const { token } = await client.create();
    const answer = await client.open(token);
    expect(answer.errors).toBeUndefined();
    const opened = answer.data!.sharedLink!;
    expect(opened).toMatchObject({
      title: 'Lease agreement',
      mimeType: 'text/plain',
      sizeBytes: Buffer.byteLength(world.content),
    });
    const served = await fetch(opened.download!.url);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(world.content);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; filename="lease.txt"/);
  });

  it('counts a download only when the answer includes one', async () => {
    const { token, link } = await client.create();
    expect((await client.open(token, null, {}, PEEK)).data?.sharedLink?.title).toBe('Lease agreement');
    expect((await client.linkState(link.id)).downloadCount).toBe(0);
    await client.open(token);
    await client.open(token);
    expect((await client.linkState(link.id)).downloadCount).toBe(2);
  });

  it('gives a download URL that does not outlive the link', async () => {
    const soon = new Date(Date.now() + 60_000);
    const { token } = await client.create({ expiresAt: soon.toISOString() });
    const opened = (await client.open(token)).data!.sharedLink!;
    expect(new Date(opened.download!.expiresAt).getTime()).toBeLessThanOrEqual(soon.getTime());
    expect(new URL(opened.download!.url).searchParams.get('X-Amz-Expires')).toMatch(/^(\d|[1-5]\d|60)$/);
  });
});

describe('every token that does not open answers the same', () => {
  it('an unknown token, a malformed one and an empty one', async () => {
    expectNotOpened(await client.open('A'.repeat(43)));
    expectNotOpened(await client.open('not a token'));
    expectNotOpened(await client.open(''));
  });

  it('an expired link, until the owner moves its expiry', async () => {
    const { token, link } = await client.create();
    await world.stack.documents.admin.query(
      `update share_links set expires_at = now() - interval '1 minute' where id = $1`,
      [link.id],
    );
    expectNotOpened(await client.open(token));
    expect((await client.linkState(link.id)).status).toBe('EXPIRED');
    const moved = await client.call<{ updateShareLink: { status: string } }>(
      world.owner,
      'mutation ($id: ID!, $at: DateTime!) { updateShareLink(id: $id, input: { expiresAt: $at }) { status } }',
      { id: link.id, at: new Date(Date.now() + DAY_MS).toISOString() },
    );
    expect(moved.data?.updateShareLink.status).toBe('ACTIVE');
    expect((await client.open(token)).data?.sharedLink?.title).toBe('Lease agreement');
  });

  it('a revoked link, at once', async () => {
    const { token, link } = await client.create();
    expect((await client.open(token)).errors).toBeUndefined();
    const revoked = await client.call(world.owner, 'mutation ($id: ID!) { revokeShareLink(id: $id) }', {
      id: link.id,
    });
    expect(revoked.data).toEqual({ revokeShareLink: true });
    expectNotOpened(await client.open(token));
    expect((await client.linkState(link.id)).status).toBe('REVOKED');
  });

  it('a missing or wrong password, and the right one opens', async () => {
    const { token, link } = await client.create({ password: 'correct horse' });
    expect(link.hasPassword).toBe(true);
    expectNotOpened(await client.open(token));
    expectNotOpened(await client.open(token, 'wrong horse'));
    expectNotOpened(await client.open(token, 'x'.repeat(2000)));
    expect((await client.open(token, 'correct horse')).data?.sharedLink?.title).toBe('Lease agreement');
    expect((await client.linkState(link.id)).downloadCount).toBe(1);
  });

  it('with the same message for each kind', async () => {
    const passworded = await client.create({ password: 'pw' });
    const answers = await Promise.all([
      client.open('B'.repeat(43)),
      client.open(passworded.token, 'nope'),
      client.open(passworded.token),
    ]);
    const messages = new Set(answers.map((answer) => answer.errors?.[0]?.message));
    expect(messages.size).toBe(1);
  });
});

describe('the download limit', () => {
  it('issues maxDownloads downloads, then answers NOT_FOUND', async () => {
    const { token, link } = await client.create({ maxDownloads: 2 });
    expect((await client.open(token)).data?.sharedLink?.download?.url).toMatch(/^http/);
    expect((await client.open(token)).data?.sharedLink?.download?.url).toMatch(/^http/);
    expectNotOpened(await client.open(token));
    expect(await client.linkState(link.id)).toMatchObject({ downloadCount: 2, status: 'EXHAUSTED' });
  });

  it('is never exceeded by concurrent requests', async () => {
    const { token, link } = await client.create({ maxDownloads: 3 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.open(token)));
    const issued = answers.filter((answer) => answer.data?.sharedLink?.download?.url);
    expect(issued).toHaveLength(3);
    for (const answer of answers.filter((a) => !a.data?.sharedLink)) expectNotOpened(answer);
    expect((await client.linkState(link.id)).downloadCount).toBe(3);
    const { rows } = await world.stack.documents.admin.query(
      `select count(*)::int as n from audit_log where action = 'SHARE_LINK_DOWNLOAD' and details->>'linkId' = $1`,
      [link.id],
    );
    expect(rows).toEqual([{ n: 3 }]);
  });

  it('raised by the owner, lets the link issue more', async () => {
    const { token, link } = await client.create({ maxDownloads: 1 });
    await client.open(token);
    expectNotOpened(await client.open(token));
    await client.call(
      world.owner,
      'mutation ($id: ID!) { updateShareLink(id: $id, input: { maxDownloads: 2 }) { id } }',
      {
        id: link.id,
      },
    );
    expect((await client.open(token)).data?.sharedLink?.download).toBeDefined();
    expectNotOpened(await client.open(token));
  });
});

describe('attempts per address', () => {
  it('are limited like sign-ins: over the limit even the right token is refused, other addresses are not', async () => {
    const { token } = await client.create();
    const address = freshIp();
    for (let i = 0; i < PER_IP; i += 1)
      expectNotOpened(await client.open('C'.repeat(43), null, { ip: address }));
    const refused = await client.open(token, null, { ip: address });
    expect(refused.data).toEqual({ sharedLink: null });
    expect(refused.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    const retryAfter = refused.errors?.[0]?.extensions?.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect((await client.open(token, null, { ip: freshIp() })).data?.sharedLink?.title).toBe(
      'Lease agreement',
    );
  });

  it('do not touch the sign-in budget of the address', async () => {
    const address = freshIp();
    for (let i = 0; i < PER_IP + 1; i += 1) await client.open('D'.repeat(43), null, { ip: address });
    const login = await client.call(
      null,
      'mutation { login(email: "nobody@example.test", password: "whatever-long") { accessToken } }',
      {},
      { ip: address },
    );
    expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('a caller without a token', () => {
  it('may open links and nothing that needs a user', async () => {
    const { link } = await client.create();
    const attempts: [string, Record<string, unknown>][] = [
      ['query { documents { totalCount } }', {}],
      ['query ($id: ID!) { document(id: $id) { id shareLinks { id } } }', { id: world.documentId }],
      ['query { folders { id } }', {}],
      [
        'mutation ($d: ID!) { createShareLink(input: { documentId: $d }) { token } }',
        { d: world.documentId },
      ],
      [
        'mutation ($id: ID!) { updateShareLink(id: $id, input: { maxDownloads: 5 }) { id } }',
        { id: link.id },
      ],
      ['mutation ($id: ID!) { revokeShareLink(id: $id) }', { id: link.id }],
      ['mutation ($id: ID!) { deleteDocument(id: $id) }', { id: world.documentId }],
    ];
    for (const [query, variables] of attempts) {
      const answer = await client.call(null, query, variables);
      expect({ query, codes: answer.errors?.map((e) => e.extensions?.code) }).toEqual({
        query,
        codes: ['UNAUTHENTICATED'],
      });
    }
    expect(await client.linkState(link.id)).toMatchObject({ status: 'ACTIVE', maxDownloads: null });
  });

  it('is refused UNAUTHENTICATED by every root field of documents and storage but the sign-in flow and sharedLink', async () => {
    // The sign-in flow is for callers without a token by nature; `me` answers null to them.
    const open = new Set([
      'Query.sharedLink',
      'Query.me',
      'Mutation.register',
      'Mutation.login',
      'Mutation.refreshToken',
      'Mutation.logout',
    ]);
    const operations = rootOperations();
    expect(operations.map((o) => o.coordinate)).toEqual(
      expect.arrayContaining(['Query.sharedLink', 'Mutation.createShareLink', 'Query.documents']),
    );
    for (const operation of operations.filter((o) => !open.has(o.coordinate))) {
      const answer = await client.call(null, operation.query, operation.variables);
      expect({ field: operation.coordinate, codes: answer.errors?.map((e) => e.extensions?.code) }).toEqual({
        field: operation.coordinate,
        codes: ['UNAUTHENTICATED'],
      });
    }
  });

  it('cannot reach the link’s hidden fields (document id, object key) through the public schema', async () => {
    const { token } = await client.create();
    const answer = await client.call(null, 'query ($t: String!) { sharedLink(token: $t) { id objectKey } }', {
      t: token,
    });
    expect(answer.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('the audit log', () => {
  it('records every download through a link with the link id, the document and the address', async () => {
    const { token, link } = await client.create();
    const address = freshIp();
    await client.open(token, null, { ip: address });
    const { rows } = await world.stack.documents.admin.query(
      `select actor_id, target, host(ip) as ip, details from audit_log
        where action = 'SHARE_LINK_DOWNLOAD' and details->>'linkId' = $1`,
      [link.id],
    );
    expect(rows).toEqual([
      { actor_id: null, target: `document:${world.documentId}`, ip: address, details: { linkId: link.id } },
    ]);
  });
});
