import type { Redis } from 'ioredis';

// The access tokens of a deleted account must stop working at once, although they are
// self-contained JWTs. The documents subgraph writes one Redis key per deleted account,
// before its rows go; every gateway reads it (gateway/src/auth/revocation-check.ts).
// The value is the deletion time in Unix seconds: a token issued at or before it is
// refused. An external identity whose issuer signs a new token later gets a new, empty
// account (deleting their account here does not delete them at the issuer).

export const revocationKey = (prefix: string, userId: string): string => `${prefix}:auth:revoked:${userId}`;

/** Refuses every access token of `userId` issued up to now, for `ttlSeconds`. */
export async function revokeAccessTokens(
  redis: Redis,
  prefix: string,
  userId: string,
  ttlSeconds: number,
  now: Date = new Date(),
): Promise<number> {
  // Rounded up: a token issued in the same second as the deletion is refused too.
  const revokedAt = Math.ceil(now.getTime() / 1000);
  await redis.set(revocationKey(prefix, userId), String(revokedAt), 'EX', ttlSeconds);
  return revokedAt;
}

/** When `userId`'s tokens were revoked (Unix seconds), or null. */
export async function revokedAt(redis: Redis, prefix: string, userId: string): Promise<number | null> {
  const value = await redis.get(revocationKey(prefix, userId));
  if (value === null) return null;
  const seconds = Number(value);
  // Anything unreadable revokes everything: refusing is the safe reading.
  return Number.isSafeInteger(seconds) ? seconds : Number.MAX_SAFE_INTEGER;
}

/** Whether a token issued at `issuedAt` (Unix seconds; unknown: undefined) is revoked. */
export const isRevoked = (revoked: number | null, issuedAt: number | undefined): boolean =>
  revoked !== null && (issuedAt === undefined || issuedAt <= revoked);
