import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  deleteAccount,
  deleteUser,
  type DeletionContext,
} from '@docuvault/documents/accounts/account-deletion.service';
import { hashPassword } from '@docuvault/documents/accounts/passwords';
import {
  runObjectRemovals,
  startObjectRemovalSweeper,
} from '@docuvault/documents/object-removals/object-removals';
import { provisionExternalUser } from '@docuvault/shared/auth/provision';
import type { Principal } from '@docuvault/shared/auth/principal';
import { revocationKey } from '@docuvault/shared/auth/revocation';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { createRedis } from '@docuvault/shared/queue/redis';
import type { Client } from 'minio';
import { eventually } from '../../support/eventually.ts';
import { createDocumentsTestDeps, type DocumentsTestDeps } from '../../support/stacks/index.ts';

// The failure paths of deleting an account, on the service with the real database, Redis
// and Ceph: a store that fails part-way through leaves the removal queued (rows gone,
// nothing forgotten) and the sweeper finishes it; without Redis (no revocation) nothing is
// deleted; an external identity needs a fresh token instead of a password.

let stack: DocumentsTestDeps;
const PASSWORD = 'a long and correct passphrase';
let passwordHash: string;

beforeAll(async () => {
  stack = await createDocumentsTestDeps('account-deletion-failures');
  passwordHash = await hashPassword(PASSWORD);
  // One admin that is never deleted, so the others are not the last one.
  await createUser('ADMIN');
});

afterAll(async () => {
  await stack?.close();
});

const realStore = (): ObjectStore => stack.deps.store;

async function createUser(role: 'USER' | 'ADMIN' = 'USER'): Promise<string> {
  const id = randomUUID();
  await stack.admin.query(`insert into users (id, email, password_hash, role) values ($1, $2, $3, $4)`, [
    id,
    `u-${id}@example.test`,
    passwordHash,
    role,
  ]);
  await stack.admin.query(`insert into quotas (user_id, limit_bytes, used_bytes) values ($1, 1000000, 0)`, [
    id,
  ]);
  return id;
}

/** A document row with its object, and the quota charged, as an upload leaves them. */
async function addDocument(
  owner: string,
  key = `${owner}/${randomUUID()}/${randomUUID()}.txt`,
): Promise<string> {
  const body = Buffer.from(`bytes of ${key}`);
  await realStore().client.putObject(realStore().bucket, key, body, body.length);
  await stack.admin.query(
    `insert into documents (user_id, title, original_filename, mime_type, size_bytes, sha256, object_key)
     values ($1, 't', 't.txt', 'text/plain', $2, encode(sha256($3::bytea), 'hex'), $4)`,
    [owner, body.length, body, key],
  );
  await stack.admin.query(`update quotas set used_bytes = used_bytes + $2 where user_id = $1`, [
    owner,
    body.length,
  ]);
  return key;
}

async function addUnfinishedUpload(owner: string): Promise<void> {
  await realStore().client.initiateNewMultipartUpload(
    realStore().bucket,
    `${owner}/${randomUUID()}/cut.pdf`,
    {},
  );
}

async function state(owner: string) {
  const { rows } = await stack.admin.query<{ users: number; documents: number; quotas: number }>(
    `select (select count(*) from users where id = $1)::int as users,
            (select count(*) from documents where user_id = $1)::int as documents,
            (select count(*) from quotas where user_id = $1)::int as quotas`,
    [owner],
  );
  const objects: string[] = [];
  for await (const item of realStore().client.listObjectsV2(realStore().bucket, `${owner}/`, true)) {
    if (item.name) objects.push(item.name);
  }
  const page = await realStore().client.listIncompleteUploadsQuery(
    realStore().bucket,
    `${owner}/`,
    '',
    '',
    '',
  );
  return { ...rows[0]!, objects: objects.length, unfinished: page.uploads.length };
}

async function queuedRemovals() {
  const { rows } = await stack.admin.query<{
    key: string;
    prefix: boolean;
    attempts: number;
    last_error: string | null;
  }>('select key, prefix, attempts, last_error from object_removals order by created_at');
  return rows;
}

function contextFor(principal: Principal, overrides: Partial<DeletionContext> = {}): DeletionContext {
  return {
    ...stack.deps,
    em: stack.deps.em.fork(),
    principal,
    clientIp: '203.0.113.9',
    requestId: `test-${randomUUID()}`,
    ...overrides,
  };
}

const adminPrincipal = (): Principal => ({ kind: 'user', id: randomUUID(), roles: ['ADMIN'] });
const userPrincipal = (id: string): Principal => ({ kind: 'user', id, roles: ['USER'] });

/** The real store, except that `method` fails (S3 answering 503 from then on). */
function storeFailingAt(method: 'removeObjects' | 'abortMultipartUpload' | 'listObjectsV2'): ObjectStore {
  const client = new Proxy(realStore().client, {
    get(target, property, receiver) {
      if (property === method) {
        return () => {
          const error = Object.assign(new Error('We encountered an internal error. Please try again.'), {
            code: 'ServiceUnavailable',
          });
          if (method === 'listObjectsV2') throw error;
          return Promise.reject(error);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as Client;
  return { client, bucket: realStore().bucket };
}

describe('a store failing during the deletion', () => {
  it('deletes the rows, keeps the removal queued with the error, and a retry removes every object', async () => {
    const owner = await createUser();
    await addDocument(owner);
    await addDocument(owner);
    await addUnfinishedUpload(owner);

    const failing = contextFor(adminPrincipal(), { store: storeFailingAt('removeObjects') });
    await expect(deleteUser(failing, owner)).resolves.toBe(true);

    expect(await state(owner)).toEqual({ users: 0, documents: 0, quotas: 0, objects: 2, unfinished: 1 });
    const queued = await queuedRemovals();
    expect(queued).toEqual([
      { key: `${owner}/`, prefix: true, attempts: 1, last_error: expect.stringContaining('internal error') },
    ]);

    const retried = await runObjectRemovals({
      em: stack.deps.em,
      store: realStore(),
      logger: stack.deps.logger,
    });
    expect(retried.failed).toEqual([]);
    expect(await state(owner)).toEqual({ users: 0, documents: 0, quotas: 0, objects: 0, unfinished: 0 });
    expect(await queuedRemovals()).toEqual([]);
  });

  it('finishes what was left when the store failed part-way (objects removed, unfinished upload not)', async () => {
    const owner = await createUser();
    await addDocument(owner);
    await addUnfinishedUpload(owner);

    await deleteUser(contextFor(adminPrincipal(), { store: storeFailingAt('abortMultipartUpload') }), owner);
    expect(await state(owner)).toMatchObject({ users: 0, objects: 0, unfinished: 1 });
    expect(await queuedRemovals()).toHaveLength(1);

    // The periodic sweeper, as the documents subgraph runs it.
    const sweeper = startObjectRemovalSweeper({
      em: stack.deps.em,
      store: realStore(),
      logger: stack.deps.logger,
      intervalSeconds: 1,
    });
    try {
      expect(await eventually(async () => (await queuedRemovals()).length === 0, 8_000)).toBe(true);
    } finally {
      await sweeper.stop();
    }
    expect(await state(owner)).toMatchObject({ objects: 0, unfinished: 0 });
  });

  it('queues and removes an object a row names outside the owner’s prefix', async () => {
    const owner = await createUser();
    const stray = await addDocument(owner, `elsewhere/${randomUUID()}.txt`);
    const { rows: kept } = await stack.admin.query<{ count: number }>(
      'select count(*)::int as count from object_removals',
    );
    expect(kept[0]?.count).toBe(0);
    // Listing fails: the prefix stays queued, the stray object (removed by its key) goes.
    await deleteUser(contextFor(adminPrincipal(), { store: storeFailingAt('listObjectsV2') }), owner);
    await expect(realStore().client.statObject(realStore().bucket, stray)).rejects.toMatchObject({
      code: 'NotFound',
    });
    expect((await queuedRemovals()).map((removal) => [removal.key, removal.prefix])).toEqual([
      [`${owner}/`, true],
    ]);
    await runObjectRemovals({ em: stack.deps.em, store: realStore(), logger: stack.deps.logger });
    expect(await queuedRemovals()).toEqual([]);
  });

  it('leaves other users’ objects alone', async () => {
    const owner = await createUser();
    const neighbour = await createUser();
    await addDocument(owner);
    const kept = await addDocument(neighbour);
    await deleteUser(contextFor(adminPrincipal()), owner);
    expect(await state(owner)).toMatchObject({ users: 0, objects: 0 });
    expect(await state(neighbour)).toEqual({ users: 1, documents: 1, quotas: 1, objects: 1, unfinished: 0 });
    await expect(realStore().client.statObject(realStore().bucket, kept)).resolves.toBeDefined();
  });
});

describe('without Redis (the revocation cannot be written)', () => {
  it('answers SERVICE_UNAVAILABLE and deletes nothing', async () => {
    const owner = await createUser();
    await addDocument(owner);
    const before = await state(owner);
    const redis = createRedis('redis://127.0.0.1:1', 'producer');
    try {
      // deleteUser: deleteAccount would stop earlier, at the sign-in limits (also in Redis).
      await expect(deleteUser(contextFor(adminPrincipal(), { redis }), owner)).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringMatching(/^Deleting an account is not possible right now/),
      });
    } finally {
      redis.disconnect();
    }
    expect(await state(owner)).toEqual(before);
    expect(await queuedRemovals()).toEqual([]);
  });
});

describe('refusals', () => {
  it('a wrong password changes nothing, not even the revocation list', async () => {
    const owner = await createUser();
    await addDocument(owner);
    const before = await state(owner);
    await expect(
      deleteAccount(contextFor(userPrincipal(owner)), 'wrong but long enough'),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await state(owner)).toEqual(before);
    expect(await stack.deps.redis.exists(revocationKey(stack.deps.config.REDIS_PREFIX, owner))).toBe(0);
  });

  it('an unknown id changes nothing and revokes nothing', async () => {
    const unknown = randomUUID();
    await expect(deleteUser(contextFor(adminPrincipal()), unknown)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await stack.deps.redis.exists(revocationKey(stack.deps.config.REDIS_PREFIX, unknown))).toBe(0);
  });
});

describe('an external identity (no password here)', () => {
  const external = (id: string, issuedAt: number | undefined): Principal => ({
    kind: 'user',
    id,
    roles: ['USER'],
    email: `${id}@idp.example`,
    issuedAt,
  });

  async function provisioned(issuedAt: number | undefined): Promise<Principal> {
    const principal = external(randomUUID(), issuedAt);
    await provisionExternalUser(stack.deps.em.fork(), principal, 1_000_000);
    return principal;
  }

  it('is deleted with a fresh token, whatever the password argument says', async () => {
    const principal = await provisioned(Math.floor(Date.now() / 1000) - 5);
    if (principal.kind !== 'user') throw new Error('unreachable');
    await addDocument(principal.id);
    await expect(deleteAccount(contextFor(principal), '')).resolves.toBe(true);
    expect(await state(principal.id)).toMatchObject({ users: 0, documents: 0, quotas: 0, objects: 0 });
  });

  it('is refused with a token older than ACCOUNT_DELETE_MAX_TOKEN_AGE_SECONDS, or without an issue time', async () => {
    const maxAge = stack.deps.config.ACCOUNT_DELETE_MAX_TOKEN_AGE_SECONDS;
    for (const issuedAt of [Math.floor(Date.now() / 1000) - maxAge - 10, undefined]) {
      const principal = await provisioned(issuedAt);
      if (principal.kind !== 'user') throw new Error('unreachable');
      const error = await deleteAccount(contextFor(principal), PASSWORD).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'FRESH_SIGN_IN_REQUIRED' } });
      expect(await state(principal.id)).toMatchObject({ users: 1, quotas: 1 });
    }
  });

  it('gets a new, empty account when its issuer signs it in again after the deletion', async () => {
    const principal = await provisioned(Math.floor(Date.now() / 1000));
    if (principal.kind !== 'user') throw new Error('unreachable');
    await deleteAccount(contextFor(principal), '');
    expect(await state(principal.id)).toMatchObject({ users: 0 });
    await provisionExternalUser(stack.deps.em.fork(), principal, 1_000_000);
    expect(await state(principal.id)).toMatchObject({ users: 1, quotas: 1, documents: 0 });
  });
});
