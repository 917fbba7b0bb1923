import { documentsEnv, loadConfig } from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger, type Logger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import type { DocumentsDeps } from '@docuvault/documents/context';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migratedTestDatabase, type TestDatabase } from '../database.ts';
import { testRedisPrefix, testRedisUrl } from '../redis.ts';
import { createTestBucket, testS3, type TestBucket } from '../s3.ts';
import { recordStatements } from '../sql-recorder.ts';

export interface DocumentsTestDeps {
  readonly deps: DocumentsDeps;
  readonly orm: MikroORM;
  readonly database: TestDatabase;
  readonly bucket: TestBucket;
  /** Superuser pool on the test database: for seeding and for looking behind the API. */
  readonly admin: pg.Pool;
  /** Records the SQL the ORM's pool sends while `run` runs (`em.execute` and Kysely alike). */
  recordQueries<T>(run: () => Promise<T>): Promise<{ result: T; queries: string[] }>;
  close(): Promise<void>;
}

/**
 * DocumentsDeps on the harness's services (TEST_*): a migrated database of its own (the
 * ORM connects as the runtime role, as in production), a bucket of its own, and a queue
 * under a Redis prefix of its own. `close` removes all three.
 */
export async function createDocumentsTestDeps(
  label: string,
  options: { logger?: Logger } = {},
): Promise<DocumentsTestDeps> {
  const database = await migratedTestDatabase(label);
  const bucket = await createTestBucket(label);
  const s3 = testS3();
  const config = loadConfig('documents', documentsEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123',
    DATABASE_URL: database.appUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix(label),
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: bucket.bucket,
  });
  const orm = await createOrm({ url: config.DATABASE_URL, poolMax: 5 });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
  const admin = new pg.Pool({ connectionString: database.adminUrl, max: 3 });
  const deps: DocumentsDeps = {
    config,
    logger: options.logger ?? createLogger('documents', 'silent'),
    em: orm.em,
    store: createObjectStore(config),
    queue,
    redis,
  };

  let recording: string[] | undefined;
  await recordStatements(orm, ({ text }) => recording?.push(text));

  return {
    deps,
    orm,
    database,
    bucket,
    admin,
    async recordQueries(run) {
      recording = [];
      try {
        const result = await run();
        return { result, queries: recording };
      } finally {
        recording = undefined;
      }
    },
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
      await admin.end();
      await orm.close();
      await bucket.cleanup();
      await database.drop();
    },
  };
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface DocumentsTestServer extends DocumentsTestDeps {
  readonly server: RunningServer;
  /** POSTs one operation to /graphql as a client would (JSON, CSRF preflight header). */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
}

/** The documents subgraph, in-process, on a free port, over the deps above. */
export async function startDocumentsSubgraph(
  label: string,
  options: { logger?: Logger } = {},
): Promise<DocumentsTestServer> {
  const stack = await createDocumentsTestDeps(label, options);
  let server: RunningServer;
  try {
    server = await (await createDocumentsSubgraph(stack.deps)).listen('127.0.0.1', 0);
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    ...stack,
    server,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<T>;
    },
    async close() {
      await server.close();
      await stack.close();
    },
  };
}
