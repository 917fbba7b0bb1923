import { randomUUID } from 'node:crypto';
import { deriveTokenKey, signAccessToken } from '@docuvault/shared/auth/access-token';
import type { Role } from '@docuvault/shared/auth/principal';
import type pg from 'pg';
import { TEST_SECRET_KEY } from './signed-fetch.ts';

// A user straight in the database with an access token minted by the same code the
// accounts feature uses: for suites about ownership and quotas, not about signing in.

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
  /** `{ authorization: 'Bearer …' }` for fetch. */
  readonly headers: Record<string, string>;
}

export async function createTestUser(
  admin: Pick<pg.Client, 'query'>,
  options: { role?: Role; limitBytes?: number; email?: string } = {},
): Promise<TestUser> {
  const id = randomUUID();
  const role = options.role ?? 'USER';
  const email = options.email ?? `user-${id}@example.test`;
  await admin.query(`insert into users (id, email, password_hash, role) values ($1, $2, 'not-a-hash', $3)`, [
    id,
    email,
    role,
  ]);
  await admin.query(`insert into quotas (user_id, limit_bytes) values ($1, $2)`, [
    id,
    options.limitBytes ?? 100 * 1024 * 1024,
  ]);
  const { token } = await signAccessToken(deriveTokenKey(TEST_SECRET_KEY), { id, role });
  return { id, email, token, headers: { authorization: `Bearer ${token}` } };
}
