import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOGIN, PASSWORD, REGISTER, uniqueEmail } from './accounts-client.ts';
import { startDocumentsSubgraph, type DocumentsTestServer } from '../../support/stacks/index.ts';

// The documents subgraph called directly (no gateway): races the gateway cannot order,
// and input the gateway would already have refused. The first account of an
// installation becomes ADMIN, so a fresh install has one; many registrations at once on
// an empty database must still make exactly one.

let subgraph: DocumentsTestServer;

beforeAll(async () => {
  subgraph = await startDocumentsSubgraph('accounts-direct');
});

afterAll(async () => {
  await subgraph?.close();
});

describe('the first account', () => {
  it('is the only ADMIN when several register at the same moment', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        subgraph.graphql<{ register: { user: { role: string } } }>(REGISTER, {
          email: uniqueEmail('racer'),
          password: PASSWORD,
        }),
      ),
    );
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    const roles = answers.map((answer) => answer.data!.register.user.role).sort();
    expect(roles).toEqual(['ADMIN', 'USER', 'USER', 'USER', 'USER', 'USER']);
    const { rows } = await subgraph.admin.query<{ role: string; quotas: number }>(
      `select u.role, count(q.user_id)::int as quotas from users u left join quotas q on q.user_id = u.id
       group by u.role order by u.role`,
    );
    expect(rows).toEqual([
      { role: 'ADMIN', quotas: 1 },
      { role: 'USER', quotas: 5 },
    ]);
  });

  it('registers a duplicate email sent twice at once only once', async () => {
    const email = uniqueEmail('twice');
    const answers = await Promise.all(
      [email, ` ${email.toUpperCase()}`].map((address) =>
        subgraph.graphql(REGISTER, { email: address, password: PASSWORD }),
      ),
    );
    const codes = answers.map((answer) => answer.errors?.[0]?.extensions?.code ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'OK']);
    const { rows } = await subgraph.admin.query<{ count: number }>(
      `select count(*)::int as count from quotas q join users u on u.id = q.user_id where u.email = $1`,
      [email],
    );
    expect(rows[0]!.count).toBe(1);
  });
});

describe('input the gateway refuses before', () => {
  it.each([
    ['a NUL', 'a\u0000b@example.test'],
    ['a lone surrogate', 'a\ud800b@example.test'],
  ])('refuses a sign-in email with %s as BAD_USER_INPUT, writing nothing', async (_case, email) => {
    const before = await subgraph.admin.query<{ count: number }>(
      'select count(*)::int as count from audit_log',
    );
    const answer = await subgraph.graphql(LOGIN, { email, password: PASSWORD });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'email' });
    const after = await subgraph.admin.query<{ count: number }>(
      'select count(*)::int as count from audit_log',
    );
    expect(after.rows[0]!.count).toBe(before.rows[0]!.count);
  });
});
