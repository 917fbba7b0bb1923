import type { Role } from '@docuvault/shared/auth/principal';
import type { EntityManager } from '@mikro-orm/postgresql';
import { constant, execute, isoTimestamp, queryOne, sql } from '../documents/sql.ts';

// refresh_tokens: one row per token ever issued, found by the SHA-256 of the token. A
// sign-in starts a family; each refresh revokes its token (revoked_at, replaced_by_id)
// and adds the next one to the same family.

export interface StoredRefreshToken {
  id: string;
  familyId: string;
  expiresAt: Date;
}

export interface PresentedRefreshToken {
  id: string;
  userId: string;
  familyId: string;
  /** The user's role now (the new access token carries it). */
  role: Role;
  /** Rotated, logged out, or revoked with its family. */
  revoked: boolean;
  expired: boolean;
}

const EXPIRES_AT = constant(`${isoTimestamp('expires_at')} as "expiresAt"`);

/** Adds a token to `familyId`, or starts a new family (null). It expires `ttlDays` from now. */
export async function insertRefreshToken(
  em: EntityManager,
  values: { userId: string; tokenHash: string; familyId: string | null; ttlDays: number },
): Promise<StoredRefreshToken> {
  const row = await queryOne<{ id: string; familyId: string; expiresAt: string }>(
    em,
    sql`insert into refresh_tokens (user_id, token_hash, family_id, expires_at)
        values (${values.userId}::uuid, ${values.tokenHash},
                coalesce(${values.familyId}::uuid, gen_random_uuid()),
                now() + make_interval(days => ${values.ttlDays}::int))
        returning id, family_id as "familyId", ${EXPIRES_AT}`,
  );
  if (!row) throw new Error('insert into refresh_tokens returned no row');
  return { ...row, expiresAt: new Date(row.expiresAt) };
}

/**
 * The token with this hash, locked until the caller's transaction ends: two refreshes
 * with one token run one after the other, and the second sees the first's rotation.
 */
export async function lockRefreshToken(
  em: EntityManager,
  tokenHash: string,
): Promise<PresentedRefreshToken | undefined> {
  return queryOne(
    em,
    sql`select rt.id, rt.user_id as "userId", rt.family_id as "familyId", u.role,
               rt.revoked_at is not null as revoked, rt.expires_at <= now() as expired
        from refresh_tokens rt join users u on u.id = rt.user_id
        where rt.token_hash = ${tokenHash}
        for update of rt`,
  );
}

/** The token without a lock (logout): its user and family. */
export async function findRefreshToken(
  em: EntityManager,
  tokenHash: string,
): Promise<{ userId: string; familyId: string } | undefined> {
  return queryOne(
    em,
    sql`select user_id as "userId", family_id as "familyId" from refresh_tokens where token_hash = ${tokenHash}`,
  );
}

/** A refresh used `id`: it is revoked, and `replacedById` is its successor. */
export async function markRotated(em: EntityManager, id: string, replacedById: string): Promise<void> {
  await execute(
    em,
    sql`update refresh_tokens set revoked_at = now(), replaced_by_id = ${replacedById}::uuid
        where id = ${id}::uuid`,
  );
}

/** Revokes every token of the family not revoked yet; answers how many. */
export async function revokeFamily(em: EntityManager, familyId: string): Promise<number> {
  return execute(
    em,
    sql`update refresh_tokens set revoked_at = now() where family_id = ${familyId}::uuid and revoked_at is null`,
  );
}

/** Revokes every token of the user not revoked yet; answers how many. */
export async function revokeAllOfUser(em: EntityManager, userId: string): Promise<number> {
  return execute(
    em,
    sql`update refresh_tokens set revoked_at = now() where user_id = ${userId}::uuid and revoked_at is null`,
  );
}
