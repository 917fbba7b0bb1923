import path from 'node:path';
import { startCephRgw } from './ceph-rgw.ts';
import type { LocalS3, StartCephRgwOptions } from './ceph-rgw.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import type { LocalPostgres } from './postgres.ts';
import { startRedis } from './redis.ts';
import type { LocalRedis } from './redis.ts';

export { CEPH_MISSING_MESSAGE, cephAvailable, startCephRgw } from './ceph-rgw.ts';
export type { LocalS3, StartCephRgwOptions } from './ceph-rgw.ts';
export { freePort, isPortFree } from './free-port.ts';
export { startS3rver } from './s3rver.ts';
export type { StartS3rverOptions } from './s3rver.ts';
export { startEmbeddedPostgres } from './postgres.ts';
export type { LocalPostgres, StartPostgresOptions } from './postgres.ts';
export { pingRedis, REDIS_MISSING_MESSAGE, startRedis } from './redis.ts';
export type { LocalRedis, StartRedisOptions } from './redis.ts';

/**
 * The local S3 server: Ceph's RADOS gateway (Debian packages). Throws a
 * message naming the apt packages when they are not installed.
 */
export function startLocalS3(options: StartCephRgwOptions): Promise<LocalS3> {
  return startCephRgw(options);
}

export interface StartLocalServicesOptions {
  /** Each service gets a sub-directory: postgres/, redis/, ceph/. */
  root: string;
  /** Keep data across restarts (`npm start`); off for throw-away stacks (tests). */
  persistent: boolean;
}

export interface LocalServices {
  postgres: Omit<LocalPostgres, 'stop'>;
  redis: Omit<LocalRedis, 'stop'>;
  s3: Omit<LocalS3, 'stop'>;
  /** How long each service took to become ready. */
  startupMs: { postgres: number; redis: number; s3: number };
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL, Redis and the S3 gateway concurrently. When one fails,
 * the others are stopped and the error names every failure.
 */
export async function startLocalServices(options: StartLocalServicesOptions): Promise<LocalServices> {
  const root = path.resolve(options.root);
  const { persistent } = options;
  const timed = async <T>(start: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const t0 = performance.now();
    const value = await start();
    return { value, ms: Math.round(performance.now() - t0) };
  };
  const results = await Promise.allSettled([
    timed(() => startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), ephemeral: !persistent })),
    timed(() => startRedis({ dataDir: path.join(root, 'redis'), persistent })),
    timed(() => startLocalS3({ dataDir: path.join(root, 'ceph'), persistent })),
  ]);
  const [pg, redis, s3] = results;
  if (pg.status === 'rejected' || redis.status === 'rejected' || s3.status === 'rejected') {
    await Promise.allSettled(
      results.map((r) => (r.status === 'fulfilled' ? r.value.value.stop() : undefined)),
    );
    const names = ['PostgreSQL', 'Redis', 'S3 (Ceph RGW)'];
    const problems = results.flatMap((r, i) =>
      r.status === 'rejected'
        ? [`${names[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`]
        : [],
    );
    throw new Error(`local services failed to start:\n${problems.join('\n')}`);
  }
  const { stop: stopPg, ...postgres } = pg.value.value;
  const { stop: stopRedis, ...redisInfo } = redis.value.value;
  const { stop: stopS3, ...s3Info } = s3.value.value;
  return {
    postgres,
    redis: redisInfo,
    s3: s3Info,
    startupMs: { postgres: pg.value.ms, redis: redis.value.ms, s3: s3.value.ms },
    stop: async () => {
      const stopped = await Promise.allSettled([stopPg(), stopRedis(), stopS3()]);
      const failed = stopped.filter((r) => r.status === 'rejected');
      if (failed.length > 0)
        throw new AggregateError(
          failed.map((r) => r.reason),
          'stopping local services failed',
        );
    },
  };
}
