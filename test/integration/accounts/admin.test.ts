import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  accountsClient,
  LOGIN,
  PASSWORD,
  uniqueEmail,
  type AccountsClient,
  type AuthPayload,
} from './accounts-client.ts';
import { startStack, type Stack } from '../../support/stacks/index.ts';

// What only admins may do: set quotas, list users, read the audit log. The gateway
// trusts X-Forwarded-For here (TRUST_PROXY), so each request can come from an address
// of its own and the audit lines can be checked for it.

let stack: Stack;
let client: AccountsClient;
let admin: AuthPayload;
let user: AuthPayload;

beforeAll(async () => {
  stack = await startStack('accounts-admin', { gateway: { ALLOW_ANONYMOUS: 'false', TRUST_PROXY: 'true' } });
  client = accountsClient(stack.gatewayUrl);
  admin = await client.register(uniqueEmail('admin'));
  user = await client.register(uniqueEmail('user'));
});

afterAll(async () => {
  await stack?.close();
});

const SET_QUOTA = `mutation ($userId: ID!, $limitBytes: Float!) {
  setQuota(userId: $userId, limitBytes: $limitBytes) { id quota { usedBytes limitBytes } } }`;
const USERS = `query ($first: Int, $after: String) {
  users(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id email role } } } }`;
const AUDIT = `query ($first: Int, $after: String) {
  auditLog(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id at actorId action target requestId ip details } } } }`;

interface AuditNode {
  id: string;
  at: string;
  actorId: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  ip: string | null;
  details: string;
}

const asAdmin = () => ({ token: admin.accessToken });
const asUser = () => ({ token: user.accessToken });

interface AuditPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: AuditNode }[];
}

async function auditPage(first: number, after: string | null): Promise<AuditPage> {
  return (await client.data<{ auditLog: AuditPage }>(AUDIT, { first, after }, asAdmin())).auditLog;
}

/** The whole audit log, newest first. */
async function auditEntries(first = 100): Promise<AuditNode[]> {
  const entries: AuditNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await auditPage(first, after);
    entries.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return entries;
    after = page.pageInfo.endCursor;
  }
}

describe('setQuota', () => {
  it('sets a user’s limit and writes an audit line', async () => {
    const { setQuota } = await client.data<{ setQuota: { id: string; quota: unknown } }>(
      SET_QUOTA,
      { userId: user.user.id, limitBytes: 5_000_000_000 },
      asAdmin(),
    );
    expect(setQuota).toEqual({ id: user.user.id, quota: { usedBytes: 0, limitBytes: 5_000_000_000 } });
    const line = (await auditEntries()).find((entry) => entry.action === 'SET_QUOTA');
    expect(line).toMatchObject({ actorId: admin.user.id, target: `user:${user.user.id}` });
    expect(JSON.parse(line!.details)).toEqual({ limitBytes: 5_000_000_000, previousLimitBytes: 104857600 });
  });

  it('refuses a limit below what the user stores already, and changes nothing', async () => {
    await stack.documents.admin.query('update quotas set used_bytes = 2000 where user_id = $1', [
      user.user.id,
    ]);
    try {
      const error = await client.failure(SET_QUOTA, { userId: user.user.id, limitBytes: 1999 }, asAdmin());
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'limitBytes' });
      const { rows } = await stack.documents.admin.query<{ limit_bytes: string }>(
        'select limit_bytes from quotas where user_id = $1',
        [user.user.id],
      );
      expect(rows[0]!.limit_bytes).toBe('5000000000');
      const exact = await client.data<{ setQuota: { quota: unknown } }>(
        SET_QUOTA,
        { userId: user.user.id, limitBytes: 2000 },
        asAdmin(),
      );
      expect(exact.setQuota.quota).toEqual({ usedBytes: 2000, limitBytes: 2000 });
    } finally {
      await stack.documents.admin.query('update quotas set used_bytes = 0 where user_id = $1', [
        user.user.id,
      ]);
    }
  });

  it.each([-1, 1.5, 2 ** 53])('refuses limitBytes %p with BAD_USER_INPUT', async (limitBytes) => {
    const error = await client.failure(SET_QUOTA, { userId: user.user.id, limitBytes }, asAdmin());
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'limitBytes' });
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    const error = await client.failure(SET_QUOTA, { userId: randomUUID(), limitBytes: 10 }, asAdmin());
    expect(error.extensions?.code).toBe('NOT_FOUND');
  });

  it('is FORBIDDEN to a USER and UNAUTHENTICATED for a guest', async () => {
    const variables = { userId: user.user.id, limitBytes: 10 ** 12 };
    expect((await client.failure(SET_QUOTA, variables, asUser())).extensions?.code).toBe('FORBIDDEN');
    expect((await client.failure(SET_QUOTA, variables)).extensions?.code).toBe('UNAUTHENTICATED');
    const { rows } = await stack.documents.admin.query<{ limit_bytes: string }>(
      'select limit_bytes from quotas where user_id = $1',
      [user.user.id],
    );
    expect(rows[0]!.limit_bytes).not.toBe(String(10 ** 12));
  });
});

describe('users', () => {
  it('lists every user newest first, in pages, with a total', async () => {
    const extra = [await client.register(uniqueEmail('page')), await client.register(uniqueEmail('page'))];
    interface UsersPage {
      users: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { id: string; role: string } }[];
      };
    }
    const page1 = await client.data<UsersPage>(USERS, { first: 2 }, asAdmin());
    expect(page1.users.totalCount).toBe(4);
    expect(page1.users.edges.map((edge) => edge.node.id)).toEqual([extra[1]!.user.id, extra[0]!.user.id]);
    expect(page1.users.pageInfo.hasNextPage).toBe(true);
    const page2 = await client.data<UsersPage>(
      USERS,
      { first: 2, after: page1.users.pageInfo.endCursor },
      asAdmin(),
    );
    expect(page2.users.edges.map(({ node }) => ({ id: node.id, role: node.role }))).toEqual([
      { id: user.user.id, role: 'USER' },
      { id: admin.user.id, role: 'ADMIN' },
    ]);
    expect(page2.users.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a cursor it did not make', async () => {
    const error = await client.failure(USERS, { after: 'bm90IGEgY3Vyc29y' }, asAdmin());
    expect(error).toMatchObject({
      message: 'after is not a valid cursor for users',
      extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
    });
  });

  it('is FORBIDDEN to a USER and UNAUTHENTICATED for a guest', async () => {
    expect((await client.failure(USERS, {}, asUser())).extensions?.code).toBe('FORBIDDEN');
    expect((await client.failure(USERS)).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('auditLog', () => {
  it('records sign-ins and failed sign-ins with the request id and the client’s address', async () => {
    const ok = { requestId: `ok-${randomUUID()}`, ip: '203.0.113.7' };
    const failed = { requestId: `failed-${randomUUID()}`, ip: '2001:db8::42' };
    const unknown = { requestId: `unknown-${randomUUID()}`, ip: '198.51.100.9' };
    await client.login(user.user.email, PASSWORD, ok);
    await client.failure(LOGIN, { email: user.user.email, password: 'wrong password!' }, failed);
    const nobody = uniqueEmail('nobody');
    await client.failure(LOGIN, { email: ` ${nobody.toUpperCase()} `, password: PASSWORD }, unknown);

    const entries = await auditEntries();
    const byRequest = (requestId: string) => entries.filter((entry) => entry.requestId === requestId);
    expect(byRequest(ok.requestId)).toEqual([
      expect.objectContaining({
        action: 'SIGN_IN',
        actorId: user.user.id,
        ip: ok.ip,
        target: `user:${user.user.id}`,
      }),
    ]);
    const [wrong] = byRequest(failed.requestId);
    expect(wrong).toMatchObject({ action: 'SIGN_IN_FAILED', actorId: user.user.id, ip: failed.ip });
    expect(JSON.parse(wrong!.details)).toEqual({ email: user.user.email, reason: 'WRONG_PASSWORD' });
    const [stranger] = byRequest(unknown.requestId);
    expect(stranger).toMatchObject({ action: 'SIGN_IN_FAILED', actorId: null, target: null, ip: unknown.ip });
    expect(JSON.parse(stranger!.details)).toEqual({ email: nobody, reason: 'UNKNOWN_EMAIL' });
  });

  it('lists newest first and pages without repeating or skipping a line', async () => {
    const all = await auditEntries();
    const { rows } = await stack.documents.admin.query<{ count: number }>(
      'select count(*)::int as count from audit_log',
    );
    expect(all).toHaveLength(rows[0]!.count);
    expect(new Set(all.map((entry) => entry.id)).size).toBe(all.length);
    const times = all.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const pages = (await auditEntries(3)).map((entry) => entry.id);
    expect(pages).toEqual(all.map((entry) => entry.id));
  });

  it('has the registrations in it', async () => {
    const registrations = (await auditEntries()).filter((entry) => entry.action === 'REGISTER');
    expect(registrations.map((entry) => entry.actorId)).toEqual(
      expect.arrayContaining([admin.user.id, user.user.id]),
    );
  });

  it('is FORBIDDEN to a USER and UNAUTHENTICATED for a guest', async () => {
    expect((await client.failure(AUDIT, {}, asUser())).extensions?.code).toBe('FORBIDDEN');
    expect((await client.failure(AUDIT)).extensions?.code).toBe('UNAUTHENTICATED');
  });
});
