import type { HealthCheck } from '@docuvault/shared/health/index';
import { checkBucket, type ObjectStore } from '@docuvault/shared/object-store/client';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { pingRedis } from '@docuvault/shared/queue/redis';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';

export function postgresCheck(pool: Pool): HealthCheck {
  return {
    component: 'postgres',
    async run() {
      await pool.query('SELECT 1');
    },
  };
}

export function objectStoreCheck(store: ObjectStore): HealthCheck {
  return { component: 'objectStore', run: () => checkBucket(store) };
}

export function redisCheck(redis: Redis): HealthCheck {
  return { component: 'redis', run: () => pingRedis(redis) };
}

/** Another service's own readiness, as its /health/ready reports it. */
export function serviceReadyCheck(component: string, graphqlUrl: string): HealthCheck {
  const url = new URL('/health/ready', graphqlUrl).toString();
  return {
    component,
    async run(signal) {
      const response = await fetch(url, { signal });
      const body = (await response.json().catch(() => ({}))) as { status?: string };
      if (!response.ok) throw new Error(`${url} answered ${response.status} (${body.status ?? 'no status'})`);
      if (body.status === 'warn') return { status: 'warn', output: `${url} reports warn` };
    },
  };
}

/** Workers register with BullMQ; none connected means uploads pile up unclassified. */
export function workersCheck(queue: ClassifyQueue): HealthCheck {
  return {
    component: 'classificationWorkers',
    measurement: 'connections',
    async run() {
      const workers = await queue.getWorkersCount();
      return workers === 0
        ? { status: 'warn', observedValue: 0, output: 'no classification worker is connected' }
        : { observedValue: workers };
    },
  };
}
