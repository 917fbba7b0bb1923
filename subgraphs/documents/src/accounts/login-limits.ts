import { once } from 'node:events';
import type { DocumentsConfig } from '@docuvault/shared/config/index';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { signInUnavailable, tooManySignIns } from './accounts.errors.ts';
import { addressBucket } from './credentials.ts';

// Sign-in attempts are counted per normalised email (guessing one account's password)
// and per client address (trying many accounts); registrations count against the same
// address budget (each costs an argon2 hash). In Redis, so every documents instance
// shares the counts. Every attempt counts, successful ones too; a success clears its
// email's count. When Redis cannot count, sign-in is refused (fail closed): an attacker
// must not get unlimited guesses by knocking Redis over.

export interface LoginLimits {
  /** Counts one attempt; TOO_MANY_REQUESTS over either limit, SERVICE_UNAVAILABLE without Redis. */
  consume(email: string, clientIp: string | undefined): Promise<void>;
  /** Counts one registration against the client address's budget. */
  consumeAddress(clientIp: string | undefined): Promise<void>;
  /** After a successful sign-in: the email starts afresh (the address does not). */
  forgetEmail(email: string): Promise<void>;
}

type LimitsConfig = Pick<
  DocumentsConfig,
  'REDIS_PREFIX' | 'LOGIN_LIMIT_PER_EMAIL' | 'LOGIN_LIMIT_PER_IP' | 'LOGIN_LIMIT_WINDOW_SECONDS'
>;

export function createLoginLimits(redis: Redis, config: LimitsConfig): LoginLimits {
  const limiter = (kind: string, points: number) =>
    redisLimiter(redis, `${config.REDIS_PREFIX}:login:${kind}`, points, config.LOGIN_LIMIT_WINDOW_SECONDS);
  const byEmail = limiter('email', config.LOGIN_LIMIT_PER_EMAIL);
  const byAddress = limiter('ip', config.LOGIN_LIMIT_PER_IP);
  const refusals = { tooMany: tooManySignIns, unavailable: signInUnavailable };
  const settle = (attempts: () => Promise<unknown>[]) => settleAttempts(redis, attempts, refusals);

  return {
    consume: (email, clientIp) =>
      settle(() => [byEmail.consume(email), byAddress.consume(addressBucket(clientIp))]),
    consumeAddress: (clientIp) => settle(() => [byAddress.consume(addressBucket(clientIp))]),
    async forgetEmail(email) {
      await byEmail.delete(email);
    },
  };
}

/** How a feature answers "over the limit" and "cannot count" (each its own words and code). */
export interface LimitRefusals {
  tooMany(retryAfterSeconds: number): Error;
  unavailable(cause: unknown): Error;
}

/** A per-address budget of another feature (public share links), counted exactly as sign-ins are. */
export interface AddressLimit {
  consume(clientIp: string | undefined): Promise<void>;
}

export function createAddressLimit(
  redis: Redis,
  options: { keyPrefix: string; points: number; windowSeconds: number; refusals: LimitRefusals },
): AddressLimit {
  const byAddress = redisLimiter(redis, options.keyPrefix, options.points, options.windowSeconds);
  return {
    consume: (clientIp) =>
      settleAttempts(redis, () => [byAddress.consume(addressBucket(clientIp))], options.refusals),
  };
}

const redisLimiter = (redis: Redis, keyPrefix: string, points: number, duration: number) =>
  new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, keyPrefix, points, duration });

/** Runs the attempts; any over its limit refuses with the longest wait, any Redis failure refuses too. */
async function settleAttempts(
  redis: Redis,
  attempts: () => Promise<unknown>[],
  refusals: LimitRefusals,
): Promise<void> {
  await connected(redis);
  const outcomes = await Promise.allSettled(attempts());
  let waitMs = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    // A RateLimiterRes is "over the limit"; anything else is Redis failing.
    if (!(outcome.reason instanceof RateLimiterRes)) throw refusals.unavailable(outcome.reason);
    waitMs = Math.max(waitMs, outcome.reason.msBeforeNext);
  }
  if (outcomes.some((outcome) => outcome.status === 'rejected')) {
    throw refusals.tooMany(Math.max(1, Math.ceil(waitMs / 1000)));
  }
}

const CONNECT_WAIT_MS = 2_000;

/**
 * The producer connection queues no command while it is (re)connecting, so a sign-in
 * right after start-up would fail; wait a little for it instead. Still not connected:
 * the command fails, and sign-in with it (fail closed).
 */
async function connected(redis: Redis): Promise<void> {
  if (redis.status === 'ready' || redis.status === 'end') return;
  await once(redis, 'ready', { signal: AbortSignal.timeout(CONNECT_WAIT_MS) }).catch(() => undefined);
}

/** One pair of limiters per Redis connection and configuration (they hold no state of their own). */
const cache = new WeakMap<Redis, { config: LimitsConfig; limits: LoginLimits }>();

export function loginLimitsOf(deps: { redis: Redis; config: LimitsConfig }): LoginLimits {
  const cached = cache.get(deps.redis);
  if (cached?.config === deps.config) return cached.limits;
  const limits = createLoginLimits(deps.redis, deps.config);
  cache.set(deps.redis, { config: deps.config, limits });
  return limits;
}
