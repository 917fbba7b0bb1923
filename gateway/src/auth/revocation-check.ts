import { isRevoked, revokedAt } from '@docuvault/shared/auth/revocation';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { Redis } from 'ioredis';

// Whether an access token's account has been deleted since the token was issued
// (shared/src/auth/revocation.ts). One Redis GET per user at most every `cacheMs`: the
// bound on how long a gateway may serve a deleted account's token. A revocation, once
// seen, is remembered longer, so a Redis outage afterwards does not bring the token back.
//
// When Redis does not answer (down, or slower than TIMEOUT_MS) the token is let through
// and the failure logged: refusing every signed-in request while Redis is away would turn
// a Redis outage into a full outage, and a deleted account's token then reaches a vault
// that has no rows left (its writes fail, its reads find nothing).

const TIMEOUT_MS = 250;
const REVOKED_REMEMBER_MS = 10 * 60_000;
const MAX_ENTRIES = 100_000;
const WARN_EVERY_MS = 10_000;

export interface RevocationCheck {
  /** Whether a token of `userId` issued at `issuedAt` (Unix seconds) is revoked. */
  isRevoked(userId: string, issuedAt: number | undefined): Promise<boolean>;
}

interface Entry {
  revokedAt: number | null;
  until: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createRevocationCheck(
  redis: Redis,
  options: { prefix: string; cacheMs: number; logger: Logger },
): RevocationCheck {
  const cache = new Map<string, Entry>();
  let lastWarning = 0;

  const remember = (userId: string, entry: Entry) => {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(userId, entry);
  };

  async function lookUp(userId: string): Promise<number | null> {
    const now = Date.now();
    const cached = cache.get(userId);
    if (cached && cached.until > now) return cached.revokedAt;
    try {
      const revoked = await withTimeout(revokedAt(redis, options.prefix, userId), TIMEOUT_MS);
      const ttl = revoked === null ? options.cacheMs : REVOKED_REMEMBER_MS;
      if (ttl > 0) remember(userId, { revokedAt: revoked, until: now + ttl });
      return revoked;
    } catch (error) {
      if (now - lastWarning >= WARN_EVERY_MS) {
        lastWarning = now;
        options.logger.warn({ err: error }, 'cannot check token revocations (Redis); letting tokens through');
      }
      return cached?.revokedAt ?? null;
    }
  }

  return {
    async isRevoked(userId, issuedAt) {
      return isRevoked(await lookUp(userId), issuedAt);
    },
  };
}
