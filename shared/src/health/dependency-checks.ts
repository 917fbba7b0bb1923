import type { Redis } from 'ioredis';
import { checkBucket, type ObjectStore } from '../object-store/client.ts';
import { pingRedis } from '../queue/redis.ts';
import type { HealthCheck } from './checks.ts';

// The probes every service builds its readiness from. Each service says what a failure
// means for it (`whenFailing`): see the README's health section for the definitions.

type Impact = { whenFailing: 'fail' | 'warn' };

/** `select 1` through whatever the service queries with (a pg pool, MikroORM's connection). */
export function postgresCheck(query: () => Promise<unknown>, impact: Impact): HealthCheck {
  return {
    component: 'postgres',
    ...impact,
    async run() {
      await query();
    },
  };
}

/** PING on the connection the service serves with. */
export function redisCheck(redis: Redis, impact: Impact): HealthCheck {
  return { component: 'redis', ...impact, run: () => pingRedis(redis) };
}

/** The bucket answers (HEAD bucket), now: not only when the service started. */
export function objectStoreCheck(store: ObjectStore, impact: Impact): HealthCheck {
  return { component: 'objectStore', ...impact, run: () => checkBucket(store) };
}

/**
 * Another service's own readiness, as its /health/ready reports it: 503 is `fail`, a
 * reported `warn` stays `warn`. The URL is named only in the error (operators and the log).
 */
export function serviceReadyCheck(component: string, graphqlUrl: string, impact: Impact): HealthCheck {
  const url = new URL('/health/ready', graphqlUrl).toString();
  return {
    component,
    ...impact,
    async run(signal) {
      const response = await fetch(url, { signal }).catch((error: unknown) => {
        throw new Error(`${url} did not answer`, { cause: error });
      });
      const body = (await response.json().catch(() => ({}))) as { status?: unknown };
      const status = typeof body.status === 'string' ? body.status : 'no status';
      if (!response.ok) throw new Error(`${url} answered ${response.status} (${status})`);
      if (status === 'warn') return { status: 'warn', output: `${url} reports warn` };
    },
  };
}
