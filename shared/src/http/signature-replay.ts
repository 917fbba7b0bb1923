import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.ts';
import { MAX_SKEW_SECONDS, nowSeconds } from './subgraph-signature.ts';

// A signature is good for MAX_SKEW_SECONDS either side of its timestamp. Within that
// window, headers captured from one call could be sent again; so each call id is
// remembered until its signature goes stale, and a second use is refused. Redis holds
// the ids, so every replica of a subgraph refuses what any of them has seen.

export type Claim = 'fresh' | 'replayed' | 'unavailable';

export interface ReplayGuard {
  /** Records the call id; 'replayed' when it was seen before, 'unavailable' when that cannot be known. */
  claim(callId: string, timestamp: number): Promise<Claim>;
}

/** A Redis that has not answered by then is treated as away: a request must not hang on it. */
const CLAIM_TIMEOUT_MS = 1_000;

/**
 * A `producer` connection (shared/src/queue/redis.ts) refuses commands while it is not
 * ready. Right after start that only means "not yet": wait for it, within the claim's
 * time. Once it has been ready, not ready means Redis is away: fail at once.
 */
function readiness(redis: Redis): (signal: AbortSignal) => Promise<void> {
  let wasReady = redis.status === 'ready';
  redis.once('ready', () => {
    wasReady = true;
  });
  return async (signal) => {
    if (redis.status === 'ready') return;
    if (wasReady) throw new Error(`Redis connection is ${redis.status}`);
    await once(redis, 'ready', { signal });
  };
}

/**
 * `SET key NX EX ttl` on a connection that fails at once while Redis is away, the whole
 * bounded by CLAIM_TIMEOUT_MS for a Redis that hangs or is still connecting. The key
 * lives until the signature is stale, plus a second of slack.
 */
export function redisReplayGuard(redis: Redis, prefix: string, logger: Logger): ReplayGuard {
  const ready = readiness(redis);
  return {
    async claim(callId, timestamp) {
      const ttl = Math.max(1, timestamp + MAX_SKEW_SECONDS + 1 - nowSeconds());
      const set = () => redis.set(`${prefix}:subgraph-call:${callId}`, '1', 'EX', ttl, 'NX');
      // A controller only to stop waiting for a connection that is not ready: aborting one
      // builds a DOMException with a stack, which on every call was about 1 % of a
      // subgraph's CPU (docs/adr/0012-gateway-hot-path.md).
      const abort = redis.status === 'ready' ? undefined : new AbortController();
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          abort ? ready(abort.signal).then(set) : set(),
          new Promise<never>((_, reject) => {
            // Timers run before the event loop reads its sockets: after a busy stretch (a
            // large upload, a loaded machine) the timer would win against an answer already
            // waiting to be read. setImmediate lets that read happen first.
            timer = setTimeout(
              () => setImmediate(() => reject(new Error(`no answer from Redis in ${CLAIM_TIMEOUT_MS} ms`))),
              CLAIM_TIMEOUT_MS,
            );
          }),
        ]);
        return answer === 'OK' ? 'fresh' : 'replayed';
      } catch (error) {
        logger.warn({ err: error }, 'could not check a subgraph call id for replay (Redis)');
        return 'unavailable';
      } finally {
        clearTimeout(timer);
        abort?.abort();
      }
    },
  };
}
