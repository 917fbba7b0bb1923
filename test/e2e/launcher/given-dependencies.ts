import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { createTestBucket, testS3, type TestBucket } from '../../support/s3.ts';
import { TEST_SECRET_KEY } from '../../support/signed-fetch.ts';

// `npm start` pointed at the harness's PostgreSQL, Redis and S3, so that it
// starts only the services: for variants whose subject is the services, not
// the embedded dependencies (and the machine is small).

export interface GivenDependencies {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function givenDependencies(label: string): Promise<GivenDependencies> {
  const database: TestDatabase = await createTestDatabase(label);
  const bucket: TestBucket = await createTestBucket(label);
  const s3 = testS3();
  return {
    env: {
      DATABASE_URL: database.appUrl,
      DATABASE_MIGRATE_URL: database.ownerUrl,
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: testRedisPrefix(label),
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKey,
      MINIO_ROOT_PASSWORD: s3.secretKey,
      MINIO_REGION: s3.region,
      MINIO_BUCKET: bucket.bucket,
      SECRET_KEY: TEST_SECRET_KEY,
    },
    async cleanup() {
      await bucket.cleanup().catch(() => undefined);
      await database.drop();
    },
  };
}
