import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../../support/stack.ts';
import {
  accountsClient,
  LOGIN,
  LOGOUT,
  LOGOUT_EVERYWHERE,
  ME,
  PASSWORD,
  REGISTER,
  uniqueEmail,
  type AccountsClient,
  type AuthPayload,
  type GraphQLError,
} from './accounts-client.ts';

// Accounts through the gateway, as a client uses them: register, sign in, use the access
// token as a bearer token, rotate refresh tokens, sign out. The gateway has no anonymous
// vault here: without a token a client is a guest.

let stack: Stack;
let client: AccountsClient;
let first: AuthPayload;
let second: AuthPayload;

const QUOTA_DEFAULT_BYTES = 7 * 1024 * 1024;

beforeAll(async () => {
  stack = await startStack('accounts-sessions', {
    gateway: { ALLOW_ANONYMOUS: 'false' },
    documents: { QUOTA_DEFAULT_BYTES, ACCESS_TOKEN_TTL_SECONDS: 120 },
  });
  client = accountsClient(stack.gatewayUrl);
  first = await client.register(uniqueEmail('first'));
  second = await client.register(uniqueEmail('second'));
});

afterAll(async () => {
  await stack?.close();
});

async function count(table: 'users' | 'quotas' | 'refresh_tokens' | 'audit_log'): Promise<number> {
  const { rows } = await stack.documents.admin.query<{ count: number }>(
    `select count(*)::int as count from ${table}`,
  );
  return rows[0]!.count;
}

const counts = async () => ({
  users: await count('users'),
  quotas: await count('quotas'),
  refreshTokens: await count('refresh_tokens'),
  audit: await count('audit_log'),
});

describe('register', () => {
  it('makes the first account of an installation ADMIN and every later one USER', () => {
    expect(first.user.role).toBe('ADMIN');
    expect(second.user.role).toBe('USER');
  });

  it('answers tokens, their expiry and the user with the default quota', () => {
    const now = Date.now();
    expect(second.accessToken.split('.')).toHaveLength(3);
    expect(second.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(second.accessTokenExpiresAt) - now).toBeGreaterThan(100_000);
    expect(Date.parse(second.accessTokenExpiresAt) - now).toBeLessThanOrEqual(120_000);
    expect(Date.parse(second.refreshTokenExpiresAt) - now).toBeGreaterThan(29 * 86_400_000);
    expect(second.user.quota).toEqual({ usedBytes: 0, limitBytes: QUOTA_DEFAULT_BYTES });
  });

  it('stores the email trimmed and lower-cased, and signs in with any spelling of it', async () => {
    const email = uniqueEmail('mixed');
    const registered = await client.register(`  ${email.toUpperCase()}\t`);
    expect(registered.user.email).toBe(email);
    const signedIn = await client.login(` ${email.replace('mixed', 'MiXeD')} `);
    expect(signedIn.user.id).toBe(registered.user.id);
  });

  it('answers CONFLICT to a taken email in any spelling and writes nothing', async () => {
    const email = uniqueEmail('taken');
    await client.register(email);
    const before = await counts();
    const error = await client.failure(REGISTER, { email: ` ${email.toUpperCase()}`, password: PASSWORD });
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.message).toBe('An account with this email already exists');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['an address without @', 'not-an-email', PASSWORD, 'email'],
    ['an address over 254 characters', `${'a'.repeat(250)}@example.test`, PASSWORD, 'email'],
    ['a password under 10 characters', 'short-password@example.test', '123456789', 'password'],
    ['a password over 1024 characters', 'long-password@example.test', 'p'.repeat(1025), 'password'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_case, email, password, argument) => {
    const before = await counts();
    const error = await client.failure(REGISTER, { email, password });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(await counts()).toEqual(before);
  });

  it('stores an argon2id hash, never the password', async () => {
    const { rows } = await stack.documents.admin.query<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [second.user.id],
    );
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$m=65536,/);
    expect(rows[0]!.password_hash).not.toContain(PASSWORD);
  });
});

describe('login and me', () => {
  it('signs in, and the access token is accepted by the gateway as the user', async () => {
    const session = await client.login(second.user.email);
    const { me } = await client.data<{ me: AuthPayload['user'] }>(ME, {}, { token: session.accessToken });
    expect(me).toEqual(second.user);
  });

  it('answers me with null without a token', async () => {
    expect(await client.data(ME)).toEqual({ me: null });
  });

  it('answers an unknown email and a wrong password with the same error', async () => {
    const unknown = await client.failure(LOGIN, { email: uniqueEmail('nobody'), password: PASSWORD });
    const wrong = await client.failure(LOGIN, { email: second.user.email, password: `${PASSWORD}!` });
    // The test gateway adds its own stack trace (NODE_ENV=test); everything else is the same.
    const shown = ({ message, path, extensions }: GraphQLError & { path?: unknown }) => ({
      message,
      path,
      extensions: { ...extensions, stacktrace: undefined },
    });
    expect(shown(unknown)).toEqual(shown(wrong));
    expect(shown(unknown)).toEqual({
      message: 'Email or password is wrong',
      path: ['login'],
      extensions: { code: 'UNAUTHENTICATED', stacktrace: undefined },
    });
  });

  it('refuses an email with a NUL or a lone surrogate as bad input, not as a server error', async () => {
    for (const email of ['a\u0000b@example.test', 'a\ud800b@example.test']) {
      const error = await client.failure(LOGIN, { email, password: PASSWORD });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('starts a new session at each sign-in', async () => {
    const a = await client.login(second.user.email);
    const b = await client.login(second.user.email);
    const { rows } = await stack.documents.admin.query<{ family_id: string }>(
      'select family_id from refresh_tokens where token_hash = any($1)',
      [[await sha256(a.refreshToken), await sha256(b.refreshToken)]],
    );
    expect(new Set(rows.map((row) => row.family_id)).size).toBe(2);
  });
});

async function sha256(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}

describe('refresh tokens', () => {
  it('stores only the SHA-256 of a refresh token', async () => {
    const session = await client.login(second.user.email);
    const { rows } = await stack.documents.admin.query<{ token_hash: string }>(
      'select token_hash from refresh_tokens where token_hash = $1 or token_hash = $2',
      [await sha256(session.refreshToken), session.refreshToken],
    );
    expect(rows).toEqual([{ token_hash: await sha256(session.refreshToken) }]);
  });

  it('rotates: a refresh answers new tokens, and the spent refresh token is refused', async () => {
    const session = await client.login(second.user.email);
    const rotated = await client.refresh(session.refreshToken);
    expect(rotated.errors).toBeUndefined();
    const next = rotated.data!.refreshToken;
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(next.user.id).toBe(second.user.id);
    const { me } = await client.data<{ me: { id: string } }>(ME, {}, { token: next.accessToken });
    expect(me.id).toBe(second.user.id);

    const again = await client.refresh(session.refreshToken);
    expect(again.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('revokes the whole session when a spent refresh token is replayed, but not other sessions', async () => {
    const stolen = await client.login(second.user.email);
    const other = await client.login(second.user.email);
    const rotated = (await client.refresh(stolen.refreshToken)).data!.refreshToken;
    const newest = (await client.refresh(rotated.refreshToken)).data!.refreshToken;

    // The replay of a spent token: refused, and it ends the session it belongs to.
    const replay = await client.refresh(stolen.refreshToken);
    expect(replay.errors?.[0]).toMatchObject({
      message: 'The refresh token is not valid; sign in again',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const afterReplay = await client.refresh(newest.refreshToken);
    expect(afterReplay.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);

    // Committed although the mutation answered an error.
    const { rows } = await stack.documents.admin.query<{ open: number }>(
      `select count(*) filter (where revoked_at is null)::int as open from refresh_tokens
       where family_id = (select family_id from refresh_tokens where token_hash = $1)`,
      [await sha256(stolen.refreshToken)],
    );
    expect(rows[0]!.open).toBe(0);
    const { rows: audit } = await stack.documents.admin.query<{ actor_id: string }>(
      `select actor_id from audit_log where action = 'REFRESH_TOKEN_REUSED'`,
    );
    expect(audit.map((row) => row.actor_id)).toContain(second.user.id);

    // Another session of the same user is untouched.
    const otherRotated = await client.refresh(other.refreshToken);
    expect(otherRotated.errors).toBeUndefined();
  });

  it('refuses an unknown, malformed or expired refresh token', async () => {
    const session = await client.login(second.user.email);
    await stack.documents.admin.query(
      `update refresh_tokens set expires_at = now() - interval '1 second' where token_hash = $1`,
      [await sha256(session.refreshToken)],
    );
    for (const token of ['A'.repeat(43), 'not a token', session.refreshToken]) {
      const answer = await client.refresh(token);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('gives the new access token the role the user has now', async () => {
    const email = uniqueEmail('promoted');
    const session = await client.register(email);
    await stack.documents.admin.query(`update users set role = 'ADMIN' where id = $1`, [session.user.id]);
    const rotated = (await client.refresh(session.refreshToken)).data!.refreshToken;
    expect(rotated.user.role).toBe('ADMIN');
    const users = await client.call('{ users(first: 1) { totalCount } }', {}, { token: rotated.accessToken });
    expect(users.errors).toBeUndefined();
  });
});

describe('logout', () => {
  it('ends the session of the refresh token, is idempotent, and leaves other sessions alone', async () => {
    const session = await client.login(second.user.email);
    const other = await client.login(second.user.email);
    const rotated = (await client.refresh(session.refreshToken)).data!.refreshToken;

    expect(await client.data(LOGOUT, { refreshToken: session.refreshToken })).toEqual({ logout: true });
    expect((await client.refresh(rotated.refreshToken)).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(await client.data(LOGOUT, { refreshToken: rotated.refreshToken })).toEqual({ logout: true });
    expect(await client.data(LOGOUT, { refreshToken: 'B'.repeat(43) })).toEqual({ logout: true });
    expect((await client.refresh(other.refreshToken)).errors).toBeUndefined();

    // The access token is a JWT: it stays valid until it expires.
    const { me } = await client.data<{ me: { id: string } }>(ME, {}, { token: rotated.accessToken });
    expect(me.id).toBe(second.user.id);
  });

  it('logoutEverywhere ends every session of the user and no one else’s', async () => {
    const email = uniqueEmail('everywhere');
    const registered = await client.register(email);
    const a = await client.login(email);
    const b = await client.login(email);
    const bystander = await client.login(second.user.email);

    expect(await client.data(LOGOUT_EVERYWHERE, {}, { token: a.accessToken })).toEqual({
      logoutEverywhere: true,
    });
    for (const session of [registered, a, b]) {
      expect((await client.refresh(session.refreshToken)).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    }
    expect((await client.refresh(bystander.refreshToken)).errors).toBeUndefined();
  });

  it('refuses logoutEverywhere to a guest', async () => {
    const error = await client.failure(LOGOUT_EVERYWHERE);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
