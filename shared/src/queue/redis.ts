import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of connection, because they must fail differently:
 * - `producer`: used while serving a request. Commands fail at once while
 *   Redis is away (no offline queue, no retries), so an upload is answered
 *   and its row left for the sweeper instead of hanging.
 * - `worker`: BullMQ's blocking connection, which must retry forever.
 */
export function createRedis(url: string, kind: 'producer' | 'worker'): Redis {
  const options: RedisOptions =
    kind === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, lazyConnect: false }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis = new Redis(url, {
    ...options,
    // Reconnect with capped backoff so a Redis that comes back is picked up without restarts.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Errors are reported through readiness and the failing command; an
  // unhandled 'error' event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}

/** Readiness probe: PING round trip. */
export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${answer}`);
}
