import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@docuvault/local-stack/index';
import { createRedis } from '@docuvault/shared/queue/redis';
import {
  accountsClient,
  LOGIN,
  PASSWORD,
  REGISTER,
  uniqueEmail,
  type AccountsClient,
  type Caller,
} from './accounts-client.ts';
import { startStack, type Stack, listenDocumentsSubgraph } from '../../support/stacks/index.ts';

// Sign-in attempts are limited per email and per client address, in Redis; over either
// limit the answer is TOO_MANY_REQUESTS with the seconds to wait, even for the right
// password. The gateway trusts X-Forwarded-For here (TRUST_PROXY), so each test can
// choose where its attempts come from.

const PER_EMAIL = 3;
const PER_IP = 5;
const WINDOW_SECONDS = 60;

let stack: Stack;
let client: AccountsClient;
let email: string;

beforeAll(async () => {
  stack = await startStack('accounts-login-limits', {
    gateway: { ALLOW_ANONYMOUS: 'false', TRUST_PROXY: 'true' },
    documents: {
      LOGIN_LIMIT_PER_EMAIL: PER_EMAIL,
      LOGIN_LIMIT_PER_IP: PER_IP,
      LOGIN_LIMIT_WINDOW_SECONDS: WINDOW_SECONDS,
    },
  });
  client = accountsClient(stack.gatewayUrl);
});

afterAll(async () => {
  await stack?.close();
});

let lastOctet = 0;
/** A client address no other attempt of this file used. */
const freshIp = (): string => `192.0.2.${(lastOctet += 1)}`;

async function attempt(address: string, password: string, caller: Caller) {
  const answer = await client.call(LOGIN, { email: address, password }, caller);
  return answer.errors?.[0] ?? { message: 'signed in', extensions: { code: 'OK' } };
}

async function registered(label: string): Promise<string> {
  const address = uniqueEmail(label);
  await client.register(address, PASSWORD, { ip: freshIp() });
  return address;
}

function expectLimited(error: { message: string; extensions?: Record<string, unknown> }) {
  expect(error.extensions?.code).toBe('TOO_MANY_REQUESTS');
  const retryAfter = error.extensions?.retryAfterSeconds as number;
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
}

describe('per email', () => {
  it('refuses the attempt after the limit, even with the right password and from a new address', async () => {
    email = await registered('guessed');
    for (let i = 0; i < PER_EMAIL; i += 1) {
      expect((await attempt(email, 'wrong password', { ip: freshIp() })).extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    }
    expectLimited(await attempt(email, PASSWORD, { ip: freshIp() }));
    expectLimited(await attempt(` ${email.toUpperCase()} `, PASSWORD, { ip: freshIp() }));
  });

  it('writes no audit line and no session for a refused attempt', async () => {
    const { rows } = await stack.documents.admin.query<{ action: string }>(
      `select action from audit_log where details->>'email' = $1 or target = (
         select 'user:' || id from users where email = $1)`,
      [email],
    );
    expect(rows.map((row) => row.action).sort()).toEqual([
      'REGISTER',
      ...Array(PER_EMAIL).fill('SIGN_IN_FAILED'),
    ]);
  });

  it('limits each email on its own', async () => {
    const other = await registered('other');
    expect((await attempt(other, PASSWORD, { ip: freshIp() })).extensions?.code).toBe('OK');
  });

  it('starts an email afresh after a successful sign-in', async () => {
    const address = await registered('forgetful');
    for (let i = 0; i < PER_EMAIL - 1; i += 1) await attempt(address, 'wrong password', { ip: freshIp() });
    expect((await attempt(address, PASSWORD, { ip: freshIp() })).extensions?.code).toBe('OK');
    for (let i = 0; i < PER_EMAIL; i += 1) {
      expect((await attempt(address, 'wrong password', { ip: freshIp() })).extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    }
    expectLimited(await attempt(address, PASSWORD, { ip: freshIp() }));
  });
});

describe('per address', () => {
  it('refuses the attempt after the limit from one address, for any email', async () => {
    const ip = freshIp();
    const victim = await registered('victim');
    for (let i = 0; i < PER_IP; i += 1) {
      expect((await attempt(uniqueEmail('sprayed'), PASSWORD, { ip })).extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
    }
    expectLimited(await attempt(victim, PASSWORD, { ip }));
    expect((await attempt(victim, PASSWORD, { ip: freshIp() })).extensions?.code).toBe('OK');
  });

  it('counts an IPv6 /64 as one address', async () => {
    for (let i = 1; i <= PER_IP; i += 1) {
      await attempt(uniqueEmail('v6'), PASSWORD, { ip: `2001:db8:aa:bb::${i.toString(16)}` });
    }
    expectLimited(await attempt(uniqueEmail('v6'), PASSWORD, { ip: '2001:db8:aa:bb:ffff:1:2:3' }));
    const neighbour = await attempt(uniqueEmail('v6'), PASSWORD, { ip: '2001:db8:aa:bc::1' });
    expect(neighbour.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('counts registrations against the address too (each costs a password hash)', async () => {
    const ip = freshIp();
    for (let i = 0; i < PER_IP; i += 1) await client.register(uniqueEmail('farm'), PASSWORD, { ip });
    const refused = await client.call(REGISTER, { email: uniqueEmail('farm'), password: PASSWORD }, { ip });
    expectLimited(refused.errors![0]!);
    expect((await attempt(uniqueEmail('farm'), PASSWORD, { ip })).extensions?.code).toBe('TOO_MANY_REQUESTS');
  });

  it('keeps its counts in Redis under the documents prefix', async () => {
    const keys = await stack.documents.deps.redis.keys(`${stack.documents.deps.config.REDIS_PREFIX}:login:*`);
    expect(keys.some((key) => key.includes(':login:email:'))).toBe(true);
    expect(keys.some((key) => key.includes(':login:ip:'))).toBe(true);
  });
});

describe('without Redis', () => {
  it('refuses to sign in (SERVICE_UNAVAILABLE) rather than sign in unlimited', async () => {
    // A connection that is closed: every command fails at once, as while Redis is away.
    // (Closed before it could start reconnecting: a reconnecting ioredis client keeps a
    // timer that disconnect() does not clear.)
    const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, 'producer');
    redis.disconnect();
    const subgraph = await listenDocumentsSubgraph({ ...stack.documents.deps, redis });
    try {
      const direct = accountsClient(`${subgraph.url}/graphql`);
      const error = await direct.failure(LOGIN, { email: await registered('no-redis'), password: PASSWORD });
      expect(error.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await subgraph.close();
    }
  });
});
