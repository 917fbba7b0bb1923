import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatewayClient } from '../../support/gateway-client.ts';
import { startStack, type Stack } from '../../support/stack.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// Through the gateway, an administrator runs operator mutations without OPS_TOKEN (this
// stack's ops has none), a user does not, and each action leaves an audit line with its
// actor, request id and client address.

let stack: Stack;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  stack = await startStack('auth-ops-admin', { gateway: { ALLOW_ANONYMOUS: 'false' } });
  admin = await createTestUser(stack.documents.admin, { role: 'ADMIN' });
  user = await createTestUser(stack.documents.admin);
});

afterAll(async () => {
  await stack?.close();
});

const pause = (headers: Record<string, string>, requestId: string) =>
  gatewayClient(stack.gatewayUrl).call<{ pauseQueue: { name: string; paused: boolean } }>(
    'mutation { pauseQueue(queue: "classify") { name paused } }',
    {},
    { headers, requestId },
  );

describe('operator mutations through the gateway', () => {
  it('lets an administrator pause a queue and audits it', async () => {
    const answer = await pause(admin.headers, 'ops-admin-pause');
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.pauseQueue).toEqual({ name: 'classify', paused: true });
    const { rows } = await stack.documents.admin.query<{
      actor_id: string;
      target: string;
      request_id: string;
      ip: string | null;
      details: { mutation: string; by: string };
    }>(
      `select actor_id, target, request_id, host(ip) as ip, details from audit_log where action = 'OPS_MUTATION'`,
    );
    expect(rows).toEqual([
      {
        actor_id: admin.id,
        target: 'queue:classify',
        request_id: 'ops-admin-pause',
        ip: expect.stringMatching(/127\.0\.0\.1|::1/),
        details: expect.objectContaining({ mutation: 'pauseQueue', by: 'admin' }),
      },
    ]);
  });

  it('refuses a user and a guest, and audits nothing for them', async () => {
    const before = await stack.documents.admin.query('select 1 from audit_log');
    expect((await pause(user.headers, 'ops-user')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await pause({}, 'ops-guest')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = await stack.documents.admin.query('select 1 from audit_log');
    expect(after.rowCount).toBe(before.rowCount);
  });
});
