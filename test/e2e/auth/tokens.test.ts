import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deriveTokenKey, signAccessToken } from '@docuvault/shared/auth/access-token';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { gatewayClient } from '../../support/gateway-client.ts';
import { TEST_SECRET_KEY } from '../../support/signed-fetch.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';
import { startGatewayAt, startStack, type Stack } from '../../support/stacks/index.ts';

// The gateway is the only reader of client credentials: a token that is expired,
// tampered with, signed by another key or issuer, or not a token at all is refused with
// 401 UNAUTHENTICATED before any subgraph is called; without a token (and without
// ALLOW_ANONYMOUS) nothing in a vault is reachable; a principal header sent by the client
// is never believed. An external issuer's tokens are verified against its JWKS.

let stack: Stack;
let user: TestUser;
const key = deriveTokenKey(TEST_SECRET_KEY);

beforeAll(async () => {
  stack = await startStack('auth-tokens', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  user = await createTestUser(stack.documents.admin);
});

afterAll(async () => {
  await stack?.close();
});

const LIST = '{ documents(first: 5) { edges { node { id } } } }';

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function ask(url: string, headers: Record<string, string>, query = LIST): Promise<Answer> {
  const { status, ...body } = await gatewayClient(url).call(query, {}, { headers });
  return { status, body };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codes = (answer: Answer) => answer.body.errors?.map((e) => e.extensions?.code);

function expectRefused(answer: Answer) {
  expect(answer.status).toBe(401);
  expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
  expect(answer.body.data).toBeUndefined();
}

async function tokenWith(
  claims: { iss?: string; aud?: string; sub?: string; exp?: number },
  signingKey: Uint8Array = key,
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['USER'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? user.id)
    .setIssuer(claims.iss ?? 'docuvault')
    .setAudience(claims.aud ?? 'docuvault')
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 60)
    .sign(signingKey);
}

describe('access tokens at the gateway', () => {
  it('serves a valid token', async () => {
    const answer = await ask(stack.gatewayUrl, user.headers);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });

  it('refuses an expired token', async () => {
    const { token } = await signAccessToken(key, { id: user.id, role: 'USER' }, -60);
    const answer = await ask(stack.gatewayUrl, bearer(token));
    expectRefused(answer);
    expect(answer.body.errors?.[0]?.message).toMatch(/expired/);
  });

  it('refuses a tampered token (payload changed, signature kept)', async () => {
    const [header, payload, signature] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'] })).toString('base64url');
    expectRefused(await ask(stack.gatewayUrl, bearer(`${header}.${forged}.${signature}`)));
  });

  it('refuses a token of another issuer or audience, even signed with our key', async () => {
    expectRefused(await ask(stack.gatewayUrl, bearer(await tokenWith({ iss: 'https://evil.example' }))));
    expectRefused(await ask(stack.gatewayUrl, bearer(await tokenWith({ aud: 'someone-else' }))));
  });

  it('refuses a token signed with another key', async () => {
    const other = deriveTokenKey('another-secret-key-that-is-long-enough-42');
    expectRefused(await ask(stack.gatewayUrl, bearer(await tokenWith({}, other))));
  });

  it('refuses an unsigned (alg: none) token and malformed Authorization headers', async () => {
    const none = [
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
      Buffer.from(JSON.stringify({ sub: user.id, iss: 'docuvault', aud: 'docuvault', exp: 9e9 })).toString(
        'base64url',
      ),
      '',
    ].join('.');
    expectRefused(await ask(stack.gatewayUrl, bearer(none)));
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer not a token', user.token]) {
      expectRefused(await ask(stack.gatewayUrl, { authorization }));
    }
  });

  it('refuses a token whose subject is not a user id', async () => {
    expectRefused(await ask(stack.gatewayUrl, bearer(await tokenWith({ sub: 'admin' }))));
  });

  it('lets a request without a token reach nothing in a vault', async () => {
    const answer = await ask(stack.gatewayUrl, {});
    expect(answer.status).toBe(200);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(answer.body.data).toBeNull();
  });

  it('ignores a principal header sent by the client', async () => {
    const forged = { 'x-docuvault-principal': `user;${user.id};ADMIN` };
    expect(codes(await ask(stack.gatewayUrl, forged))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('an external issuer (AUTH_JWKS_URL)', () => {
  let jwks: Server;
  let gateway: { url: string; close(): Promise<void> };
  let signWith: (
    claims: { iss?: string; sub?: string; email?: string; roles?: string[] },
    which?: 'ours' | 'stranger',
  ) => Promise<string>;

  beforeAll(async () => {
    const ours = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const publicJwk = { ...(await exportJWK(ours.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gateway = await startGatewayAt(stack.subgraphUrls, {
      ALLOW_ANONYMOUS: 'false',
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: 'https://id.example',
      AUTH_AUDIENCE: 'docuvault-api',
    });
    signWith = async (claims, which = 'ours') => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        roles: claims.roles ?? ['USER'],
        ...(claims.email ? { email: claims.email } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject(claims.sub ?? user.id)
        .setIssuer(claims.iss ?? 'https://id.example')
        .setAudience('docuvault-api')
        .setExpirationTime(now + 60)
        .sign((which === 'ours' ? ours : stranger).privateKey);
    };
  });

  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it("accepts the issuer's tokens, and still our own", async () => {
    const url = `${gateway.url}/graphql`;
    expect((await ask(url, bearer(await signWith({})))).body.errors).toBeUndefined();
    expect((await ask(url, user.headers)).body.errors).toBeUndefined();
  });

  it('creates the account of an external identity on first sight, with the default quota', async () => {
    const url = `${gateway.url}/graphql`;
    const token = await signWith({ sub: 'google-oauth2|1234567890', email: 'Ext.User@Example.com' });
    const me = '{ me { id email role quota { usedBytes limitBytes } } documents(first: 1) { totalCount } }';
    const first = await ask(url, bearer(token), me);
    expect(first.body.errors).toBeUndefined();
    const seen = (first.body.data as { me: { id: string; email: string; quota: { limitBytes: number } } }).me;
    expect(seen).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'ext.user@example.com',
      role: 'USER',
      quota: { usedBytes: 0, limitBytes: 100 * 1024 * 1024 },
    });
    // The same identity is the same account the next time; it has no password to sign in with.
    const again = await ask(url, bearer(await signWith({ sub: 'google-oauth2|1234567890' })), me);
    expect((again.body.data as { me: { id: string } }).me.id).toBe(seen.id);
    const { rows } = await stack.documents.admin.query<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [seen.id],
    );
    expect(rows[0]?.password_hash.startsWith('$argon2')).toBe(false);
  });

  it('gives an external identity whose email a local account has a stand-in email', async () => {
    const url = `${gateway.url}/graphql`;
    const token = await signWith({ sub: 'someone-else', email: user.email });
    const answer = await ask(url, bearer(token), '{ me { id email } }');
    const me = (answer.body.data as { me: { id: string; email: string } }).me;
    expect(me.id).not.toBe(user.id);
    expect(me.email).toBe(`${me.id}@external.invalid`);
  });

  it('refuses tokens of another issuer or signed by a key not in the set', async () => {
    const url = `${gateway.url}/graphql`;
    expectRefused(await ask(url, bearer(await signWith({ iss: 'https://other.example' }))));
    expectRefused(await ask(url, bearer(await signWith({}, 'stranger'))));
  });
});
