import type { Role } from '@docuvault/shared/auth/principal';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { isoTimestamp } from '../data/fragments.ts';

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

/** Adds a token to `familyId`, or starts a new family (null). It expires `ttlDays` from now. */
export async function insertRefreshToken(
  em: EntityManager,
  values: { userId: string; tokenHash: string; familyId: string | null; ttlDays: number },
): Promise<StoredRefreshToken> {
  const row = await db(em)
    .insertInto('refresh_tokens')
    .values({
      user_id: values.userId,
      token_hash: values.tokenHash,
      family_id: values.familyId ?? sql<string>`gen_random_uuid()`,
      expires_at: sql<string>`now() + make_interval(days => ${values.ttlDays}::int)`,
    })
    .returning(['id', 'family_id as familyId', isoTimestamp('expires_at').as('expiresAt')])
    .executeTakeFirstOrThrow();
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
  return db(em)
    .selectFrom('refresh_tokens as rt')
    .innerJoin('users as u', 'u.id', 'rt.user_id')
    .select([
      'rt.id',
      'rt.user_id as userId',
      'rt.family_id as familyId',
      'u.role',
      sql<boolean>`rt.revoked_at is not null`.as('revoked'),
      sql<boolean>`rt.expires_at <= now()`.as('expired'),
    ])
    .where('rt.token_hash', '=', tokenHash)
    .forUpdate('rt')
    .executeTakeFirst();
}

/** The token without a lock (logout): its user and family. */
export async function findRefreshToken(
  em: EntityManager,
  tokenHash: string,
): Promise<{ userId: string; familyId: string } | undefined> {
  return db(em)
    .selectFrom('refresh_tokens')
    .select(['user_id as userId', 'family_id as familyId'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** A refresh used `id`: it is revoked, and `replacedById` is its successor. */
export async function markRotated(em: EntityManager, id: string, replacedById: string): Promise<void> {
  await db(em)
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<string>`now()`, replaced_by_id: replacedById })
    .where('id', '=', id)
    .execute();
}

/** Revokes every token of the family not revoked yet; answers how many. */
export async function revokeFamily(em: EntityManager, familyId: string): Promise<number> {
  const result = await db(em)
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<string>`now()` })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes every token of the user not revoked yet; answers how many. */
export async function revokeAllOfUser(em: EntityManager, userId: string): Promise<number> {
  const result = await db(em)
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<string>`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
