import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  accountsClient,
  LOGIN,
  PASSWORD,
  REFRESH,
  uniqueEmail,
  type AuthPayload,
} from '../../integration/accounts/accounts-client.ts';
import { startGatewayAt, startStack, type Stack } from '../../support/stack.ts';
import { holdingsClient, NOTHING, type Holdings } from './account-holdings.ts';

// Deleting an account, through the gateway: everything the account holds goes (rows,
// stored objects, unfinished uploads, quota, sessions), its access tokens are refused from
// the next request, the audit log keeps its lines marked, and nobody else's data moves.
// Every refusal (wrong password, not an admin, unknown id, the last admin) changes nothing.

let stack: Stack;
let accounts: ReturnType<typeof accountsClient>;
let holdings: ReturnType<typeof holdingsClient>;
let admin: AuthPayload;
let bob: AuthPayload;
let bobsHoldings: Holdings;

const DELETE_ACCOUNT = 'mutation ($p: String!) { deleteAccount(password: $p) }';
const DELETE_USER = 'mutation ($id: ID!) { deleteUser(id: $id) }';
const ME = '{ me { id } documents(first: 5) { totalCount } }';
const AUDIT = '{ auditLog(first: 100) { edges { node { actorId actorDeleted action target details } } } }';

interface AuditLine {
  actorId: string | null;
  actorDeleted: boolean;
  action: string;
  target: string | null;
  details: string;
}

async function auditLines(): Promise<AuditLine[]> {
  const { auditLog } = await accounts.data<{ auditLog: { edges: { node: AuditLine }[] } }>(
    AUDIT,
    {},
    {
      token: admin.accessToken,
    },
  );
  return auditLog.edges.map((edge) => edge.node);
}

/** A registered account with one of everything in it. */
async function filledAccount(label: string): Promise<AuthPayload> {
  const account = await accounts.register(uniqueEmail(label));
  await holdings.fill({ id: account.user.id, token: account.accessToken }, label);
  return account;
}

async function expectSignedIn(token: string): Promise<void> {
  const answer = await accounts.call<{ me: { id: string } }>(ME, {}, { token });
  expect(answer.errors).toBeUndefined();
  expect(answer.data?.me).not.toBeNull();
}

async function expectRefused(token: string): Promise<void> {
  const answer = await accounts.call(ME, {}, { token });
  expect(answer.status).toBe(401);
  expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  expect(answer.errors?.[0]?.message).toMatch(/deleted/);
}

beforeAll(async () => {
  // Cache 0: every request asks Redis, so "refused from the next request" is exact here;
  // the default cache's bound is checked on a second gateway below.
  stack = await startStack('account-deletion', {
    gateway: { ALLOW_ANONYMOUS: 'false', AUTH_REVOCATION_CACHE_MS: '0' },
    documents: { LOGIN_LIMIT_PER_EMAIL: 100, LOGIN_LIMIT_PER_IP: 1_000 },
  });
  accounts = accountsClient(stack.gatewayUrl);
  holdings = holdingsClient(stack);
  admin = await accounts.register(uniqueEmail('admin'));
  expect(admin.user.role).toBe('ADMIN');
  bob = await filledAccount('bob');
  bobsHoldings = await holdings.count(bob.user.id);
  expect(bobsHoldings).toMatchObject({
    users: 1,
    quotas: 1,
    documents: 3,
    folders: 1,
    topics: 1,
    uploadTickets: 2,
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('deleteAccount', () => {
  it('removes every row, object and unfinished upload of the account, and refuses its tokens at once', async () => {
    const alice = await filledAccount('alice');
    const before = await holdings.count(alice.user.id);
    expect(before).toMatchObject({
      documents: 3,
      documentTopics: 1,
      folders: 1,
      topics: 1,
      uploadTickets: 2,
    });
    expect(before.classifierModels).toBe(1);
    expect(before.usedBytes).toBeGreaterThan(0);
    // Two uploads, the completed direct upload's copy, the abandoned ticket's object.
    expect(before.objects).toBe(4);
    expect(before.unfinishedUploads).toBe(1);

    const answer = await accounts.data<{ deleteAccount: boolean }>(
      DELETE_ACCOUNT,
      { p: PASSWORD },
      {
        token: alice.accessToken,
      },
    );
    expect(answer.deleteAccount).toBe(true);

    await expectRefused(alice.accessToken);
    expect(await holdings.count(alice.user.id)).toEqual(NOTHING);
    const { rows } = await stack.documents.admin.query('select * from object_removals');
    expect(rows).toEqual([]);
    // The session is gone too, and the password signs nobody in.
    const refreshed = await accounts.call(REFRESH, { refreshToken: alice.refreshToken });
    expect(refreshed.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const login = await accounts.call(LOGIN, { email: alice.user.email, password: PASSWORD });
    expect(login.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);

    // Bob's account did not move, and his token works.
    expect(await holdings.count(bob.user.id)).toEqual(bobsHoldings);
    await expectSignedIn(bob.accessToken);
  });

  it('keeps the audit lines of the deleted account, marked, and writes one for the deletion', async () => {
    const carol = await accounts.register(uniqueEmail('carol'));
    await accounts.data(DELETE_ACCOUNT, { p: PASSWORD }, { token: carol.accessToken });
    const lines = await auditLines();
    const hers = lines.filter((line) => line.actorId === carol.user.id);
    expect(hers.map((line) => line.action).sort()).toEqual(['DELETE_ACCOUNT', 'REGISTER']);
    expect(hers.every((line) => line.actorDeleted)).toBe(true);
    const deletion = hers.find((line) => line.action === 'DELETE_ACCOUNT');
    expect(deletion?.target).toBe(`user:${carol.user.id}`);
    expect(JSON.parse(deletion?.details ?? '{}')).toMatchObject({ documents: 0, bytes: 0, role: 'USER' });
    expect(lines.filter((line) => line.actorId === bob.user.id).every((line) => !line.actorDeleted)).toBe(
      true,
    );
  });

  it('frees the email: registering it again makes a new, empty account', async () => {
    const email = uniqueEmail('again');
    const first = await accounts.register(email);
    await holdings.upload(first.accessToken, 'before the deletion');
    await accounts.data(DELETE_ACCOUNT, { p: PASSWORD }, { token: first.accessToken });
    const second = await accounts.register(email);
    expect(second.user.id).not.toBe(first.user.id);
    expect(second.user.quota.usedBytes).toBe(0);
    const { documents } = await accounts.data<{ documents: { totalCount: number } }>(
      ME,
      {},
      {
        token: second.accessToken,
      },
    );
    expect(documents.totalCount).toBe(0);
  });

  it('refuses a wrong password with FORBIDDEN, changes nothing, and audits the attempt', async () => {
    const dave = await filledAccount('dave');
    const before = await holdings.count(dave.user.id);
    const error = await accounts.failure(
      DELETE_ACCOUNT,
      { p: 'not the password at all' },
      { token: dave.accessToken },
    );
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/password is wrong/);
    expect(await holdings.count(dave.user.id)).toEqual(before);
    await expectSignedIn(dave.accessToken);
    const failed = (await auditLines()).filter(
      (line) => line.actorId === dave.user.id && line.action === 'DELETE_ACCOUNT_FAILED',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]?.actorDeleted).toBe(false);
  });

  it('refuses a guest with UNAUTHENTICATED', async () => {
    const error = await accounts.failure(DELETE_ACCOUNT, { p: PASSWORD });
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses the last administrator with CONFLICT, and changes nothing', async () => {
    const before = await holdings.count(admin.user.id);
    const error = await accounts.failure(DELETE_ACCOUNT, { p: PASSWORD }, { token: admin.accessToken });
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(await holdings.count(admin.user.id)).toEqual(before);
    await expectSignedIn(admin.accessToken);
  });
});

describe('deleteUser', () => {
  it('refuses anyone but an admin, an unknown id and the admin’s own id, changing nothing', async () => {
    const erin = await filledAccount('erin');
    const before = await holdings.count(erin.user.id);

    const notAdmin = await accounts.failure(DELETE_USER, { id: erin.user.id }, { token: bob.accessToken });
    expect(notAdmin.extensions?.code).toBe('FORBIDDEN');
    const guest = await accounts.failure(DELETE_USER, { id: erin.user.id });
    expect(guest.extensions?.code).toBe('UNAUTHENTICATED');
    const unknown = await accounts.failure(
      DELETE_USER,
      { id: crypto.randomUUID() },
      { token: admin.accessToken },
    );
    expect(unknown.extensions?.code).toBe('NOT_FOUND');
    const malformed = await accounts.failure(DELETE_USER, { id: 'not-a-uuid' }, { token: admin.accessToken });
    expect(malformed.extensions?.code).toBe('BAD_USER_INPUT');
    const own = await accounts.failure(DELETE_USER, { id: admin.user.id }, { token: admin.accessToken });
    expect(own.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await holdings.count(erin.user.id)).toEqual(before);
    expect(await holdings.count(bob.user.id)).toEqual(bobsHoldings);
    await expectSignedIn(erin.accessToken);
    await expectSignedIn(admin.accessToken);
  });

  it('lets an admin delete another account: everything of it goes, its tokens are refused', async () => {
    const frank = await filledAccount('frank');
    const answer = await accounts.data<{ deleteUser: boolean }>(
      DELETE_USER,
      { id: frank.user.id },
      {
        token: admin.accessToken,
      },
    );
    expect(answer.deleteUser).toBe(true);
    await expectRefused(frank.accessToken);
    expect(await holdings.count(frank.user.id)).toEqual(NOTHING);
    expect(await holdings.count(bob.user.id)).toEqual(bobsHoldings);

    const lines = (await auditLines()).filter((line) => line.target === `user:${frank.user.id}`);
    const deletion = lines.find((line) => line.action === 'DELETE_USER');
    expect(deletion).toMatchObject({ actorId: admin.user.id, actorDeleted: false });
    expect(JSON.parse(deletion?.details ?? '{}')).toMatchObject({ documents: 3 });
    // A deleted id is unknown from then on.
    const again = await accounts.failure(DELETE_USER, { id: frank.user.id }, { token: admin.accessToken });
    expect(again.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('a gateway with the default revocation cache (AUTH_REVOCATION_CACHE_MS=1000)', () => {
  it('refuses a deleted account’s token within the cache bound', async () => {
    const cached = await startGatewayAt(stack.subgraphUrls, {
      ALLOW_ANONYMOUS: 'false',
      REDIS_PREFIX: stack.documents.deps.config.REDIS_PREFIX,
    });
    try {
      const url = `${cached.url}/graphql`;
      const grace = await accounts.register(uniqueEmail('grace'));
      // Seen as not deleted: this gateway may believe that for up to 1 s.
      const seen = await accountsClient(url).call(ME, {}, { token: grace.accessToken });
      expect(seen.errors).toBeUndefined();
      await accounts.data(DELETE_ACCOUNT, { p: PASSWORD }, { token: grace.accessToken });
      const deletedAt = Date.now();
      // A request is served only if it started within the bound (its cache entry was made
      // before the deletion answered); slow answers on a busy machine do not matter.
      let latestServedStart = -1;
      let refused = false;
      while (!refused && Date.now() - deletedAt < 5_000) {
        const started = Date.now() - deletedAt;
        const answer = await accountsClient(url).call(ME, {}, { token: grace.accessToken });
        if (answer.status === 401) refused = true;
        else latestServedStart = started;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(refused).toBe(true);
      expect(latestServedStart).toBeLessThan(1_000);
    } finally {
      await cached.close();
    }
  });
});

describe('an external identity (AUTH_JWKS_URL)', () => {
  let jwks: Server;
  let gateway: { url: string; close(): Promise<void> };
  let sign: (sub: string, issuedAt: number) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gateway = await startGatewayAt(stack.subgraphUrls, {
      ALLOW_ANONYMOUS: 'false',
      AUTH_REVOCATION_CACHE_MS: '0',
      REDIS_PREFIX: stack.documents.deps.config.REDIS_PREFIX,
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: 'https://id.example',
    });
    sign = (sub, issuedAt) =>
      new SignJWT({ email: `${sub}@idp.example`, roles: ['USER'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject(sub)
        .setIssuer('https://id.example')
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 3_600)
        .sign(privateKey);
  });

  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it('needs a freshly issued token instead of a password; afterwards that token is refused', async () => {
    const client = accountsClient(`${gateway.url}/graphql`);
    const now = Math.floor(Date.now() / 1000);
    const sub = `idp|${crypto.randomUUID()}`;
    const stale = await sign(sub, now - 3_000);
    const { me } = await client.data<{ me: { id: string } }>(ME, {}, { token: stale });

    const refused = await client.failure(DELETE_ACCOUNT, { p: '' }, { token: stale });
    expect(refused.extensions?.code).toBe('FORBIDDEN');
    expect(refused.extensions?.reason).toBe('FRESH_SIGN_IN_REQUIRED');
    expect((await holdings.count(me.id)).users).toBe(1);

    const fresh = await sign(sub, now - 1);
    expect(
      (await client.data<{ deleteAccount: boolean }>(DELETE_ACCOUNT, { p: '' }, { token: fresh }))
        .deleteAccount,
    ).toBe(true);
    expect(await holdings.count(me.id)).toEqual(NOTHING);
    for (const token of [stale, fresh]) {
      const answer = await client.call(ME, {}, { token });
      expect(answer.status).toBe(401);
      expect(answer.errors?.[0]?.message).toMatch(/deleted/);
    }
  });
});

describe('a gateway whose Redis is away', () => {
  it('still serves valid tokens (the revocation check lets them through rather than fail every request)', async () => {
    const blind = await startGatewayAt(stack.subgraphUrls, {
      ALLOW_ANONYMOUS: 'false',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    try {
      const answer = await accountsClient(`${blind.url}/graphql`).call<{ me: { id: string } }>(
        ME,
        {},
        {
          token: bob.accessToken,
        },
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.me.id).toBe(bob.user.id);
    } finally {
      await blind.close();
    }
  });
});
