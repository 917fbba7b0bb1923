import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { provisionDatabase } from '../db/roles.ts';
import { startCephRgw } from '../local-stack/ceph-rgw.ts';
import { startEmbeddedPostgres } from '../local-stack/postgres.ts';
import { startRedis } from '../local-stack/redis.ts';

export interface Dependencies {
  /** Variables for the services: what was given, plus what was started here. */
  env: Record<string, string>;
  started: string[];
  stop(): Promise<void>;
}

/**
 * Anything the environment names is used as given; anything missing is
 * started locally under `root`, with data kept across restarts.
 */
export async function provideDependencies(root: string, given: NodeJS.ProcessEnv): Promise<Dependencies> {
  mkdirSync(root, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  const env: Record<string, string> = {};

  const postgres = async () => {
    if (given.DATABASE_URL) return;
    const pg = await startEmbeddedPostgres({ dataDir: join(root, 'postgres') });
    stops.push(pg.stop);
    started.push(`PostgreSQL (embedded) on port ${pg.port}`);
    const { ownerUrl, appUrl } = await provisionDatabase(pg.adminUrl, {
      database: 'docuvault',
      ownerRole: 'docuvault_owner',
      ownerPassword: 'docuvault-owner-local',
      appRole: 'docuvault_app',
      appPassword: 'docuvault-app-local',
    });
    env.DATABASE_URL = appUrl;
    env.DATABASE_MIGRATE_URL ??= ownerUrl;
  };
  const redis = async () => {
    if (given.REDIS_URL) return;
    const server = await startRedis({ dataDir: join(root, 'redis'), persistent: true });
    stops.push(server.stop);
    started.push(`Redis on port ${server.port}`);
    env.REDIS_URL = server.url;
  };
  const objectStore = async () => {
    if (given.MINIO_ENDPOINT) return;
    const s3 = await startCephRgw({ dataDir: join(root, 'ceph') });
    stops.push(s3.stop);
    started.push(`S3 (Ceph object gateway) at ${s3.endpoint}`);
    env.MINIO_ENDPOINT = s3.endpoint;
    env.MINIO_ROOT_USER = s3.accessKey;
    env.MINIO_ROOT_PASSWORD = s3.secretKey;
    env.MINIO_REGION = s3.region;
  };

  const stop = async () => {
    await Promise.allSettled(stops.reverse().map((fn) => fn()));
  };
  // Ceph takes the longest: start all three at once.
  const results = await Promise.allSettled([postgres(), redis(), objectStore()]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  if (!given.SECRET_KEY) env.SECRET_KEY = localSecret(root);
  return { env, started, stop };
}

/** A random key made once and kept, so restarts keep tokens and signatures valid. */
function localSecret(root: string): string {
  const file = join(root, 'secret-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
