import type { DocumentsConfig } from '@docuvault/shared/config/index';
import type { Redis } from 'ioredis';
import { createAddressLimit, type AddressLimit } from '../accounts/login-limits.ts';
import { linksUnavailable, tooManyLinkAttempts } from './share-links.errors.ts';

// Opening a public link is counted per client address the way sign-ins are (the same
// Redis-backed limiter, failing closed when Redis cannot count), in a budget of its own:
// guessing tokens must not cost anyone their sign-ins, nor sign-ins anyone their links.

type LimitConfig = Pick<
  DocumentsConfig,
  'REDIS_PREFIX' | 'SHARE_LINK_LIMIT_PER_IP' | 'SHARE_LINK_LIMIT_WINDOW_SECONDS'
>;

const cache = new WeakMap<Redis, { config: LimitConfig; limit: AddressLimit }>();

/** One limiter per Redis connection and configuration (it holds no state of its own). */
export function linkLimitOf(deps: { redis: Redis; config: LimitConfig }): AddressLimit {
  const cached = cache.get(deps.redis);
  if (cached?.config === deps.config) return cached.limit;
  const limit = createAddressLimit(deps.redis, {
    keyPrefix: `${deps.config.REDIS_PREFIX}:share-link:ip`,
    points: deps.config.SHARE_LINK_LIMIT_PER_IP,
    windowSeconds: deps.config.SHARE_LINK_LIMIT_WINDOW_SECONDS,
    refusals: { tooMany: tooManyLinkAttempts, unavailable: linksUnavailable },
  });
  cache.set(deps.redis, { config: deps.config, limit });
  return limit;
}
