import { createGatewayServer } from '@docuvault/gateway/gateway-server';
import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import {
  gatewayEnv,
  loadConfig,
  opsEnv,
  storageEnv,
  type DocumentsConfig,
} from '@docuvault/shared/config/index';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger, type Logger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import pg from 'pg';
import { startUploadStack, type UploadStack } from '../integration/uploads/upload-stack.ts';
import { testRedisUrl } from './redis.ts';
import { testS3 } from './s3.ts';
import { TEST_SECRET_KEY } from './signed-fetch.ts';

// The whole system in this process, on ephemeral ports, against the harness's services:
// the gateway and the three subgraphs (documents with uploads, storage, ops), each
// subgraph refusing requests the gateway did not sign. The documents side is the uploads
// colleague's stack (its database, bucket, queue and the counts the tests compare).

export interface Stack {
  readonly gatewayUrl: string;
  readonly documents: UploadStack;
  /** Each subgraph's /graphql. */
  readonly subgraphUrls: { documents: string; storage: string; ops: string };
  close(): Promise<void>;
}

export interface StackOptions {
  /** Gateway variables on top of the test defaults (limits, NODE_ENV, …). */
  gateway?: Record<string, string>;
  /** Documents subgraph settings on top of the test defaults (upload limits, sign-in limits, …). */
  documents?: Partial<DocumentsConfig>;
  /** Ops variables on top of the test defaults (e.g. OPS_TOKEN). */
  ops?: Record<string, string>;
  logger?: Logger;
}

/** A gateway in this process whose subgraphs are at `urls` (anything with an HTTP port will do). */
export async function startGatewayAt(
  urls: { documents: string; storage: string; ops: string },
  env: Record<string, string> = {},
  logger: Logger = createLogger('gateway', 'silent'),
): Promise<RunningServer> {
  const config = loadConfig('gateway', gatewayEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    // Suites written before accounts work in the anonymous vault; auth suites turn it off.
    ALLOW_ANONYMOUS: 'true',
    // Revoked tokens (deleted accounts); pass the documents side's REDIS_PREFIX to see its revocations.
    REDIS_URL: testRedisUrl(),
    DOCUMENTS_URL: urls.documents,
    STORAGE_URL: urls.storage,
    OPS_URL: urls.ops,
    ...env,
  });
  return (await createGatewayServer(config, logger)).listen('127.0.0.1', 0);
}

async function startStorage(documents: UploadStack): Promise<RunningServer> {
  const s3 = testS3();
  const config = loadConfig('storage', storageEnv, {
    NODE_ENV: 'test',
    SUBGRAPH_REQUIRE_SIGNATURE: 'true',
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    DATABASE_URL: documents.database.appUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: documents.deps.config.REDIS_PREFIX,
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: documents.bucket.bucket,
  });
  const server = await createStorageSubgraph({
    config,
    logger: createLogger('storage', 'silent'),
    store: createObjectStore(config),
    // Direct uploads on the documents side's database and queue (storage forks per request).
    tickets: { em: documents.deps.em, queue: documents.deps.queue },
    // Signed call ids are remembered where the documents side remembers them (one prefix per suite).
    redis: documents.deps.redis,
  });
  return server.listen('127.0.0.1', 0);
}

async function startOps(
  documents: UploadStack,
  urls: { documents: string; storage: string },
  env: Record<string, string> = {},
) {
  const config = loadConfig('ops', opsEnv, {
    NODE_ENV: 'test',
    SUBGRAPH_REQUIRE_SIGNATURE: 'true',
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    DATABASE_URL: documents.database.appUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: documents.deps.config.REDIS_PREFIX,
    MINIO_ENDPOINT: documents.deps.config.MINIO_ENDPOINT,
    MINIO_ROOT_USER: documents.deps.config.MINIO_ROOT_USER,
    MINIO_ROOT_PASSWORD: documents.deps.config.MINIO_ROOT_PASSWORD,
    MINIO_REGION: documents.deps.config.MINIO_REGION,
    MINIO_BUCKET: documents.bucket.bucket,
    DOCUMENTS_URL: urls.documents,
    STORAGE_URL: urls.storage,
    ...env,
  });
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
  pool.on('error', () => undefined);
  const redis = createRedis(config.REDIS_URL, 'producer');
  const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
  const deps = { config, logger: createLogger('ops', 'silent'), pool, redis, queue };
  const server = await (
    await createOpsSubgraph({ ...deps, store: createObjectStore(config) })
  ).listen('127.0.0.1', 0);
  return {
    server,
    async close() {
      await server.close();
      await queue.close();
      redis.disconnect();
      await pool.end();
    },
  };
}

/** Gateway + documents + storage + ops, signatures required; `close` removes everything. */
export async function startStack(label: string, options: StackOptions = {}): Promise<Stack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const documents = await startUploadStack(label, options.documents ?? {}, { signed: true });
    closers.push(() => documents.close());
    const storage = await startStorage(documents);
    closers.push(() => storage.close());
    const ops = await startOps(
      documents,
      { documents: documents.graphqlUrl, storage: `${storage.url}/graphql` },
      options.ops,
    );
    closers.push(() => ops.close());
    const subgraphUrls = {
      documents: documents.graphqlUrl,
      storage: `${storage.url}/graphql`,
      ops: `${ops.server.url}/graphql`,
    };
    const gateway = await startGatewayAt(
      subgraphUrls,
      { REDIS_PREFIX: documents.deps.config.REDIS_PREFIX, ...options.gateway },
      options.logger,
    );
    closers.push(() => gateway.close());
    return { gatewayUrl: `${gateway.url}/graphql`, documents, subgraphUrls, close };
  } catch (error) {
    await close();
    throw error;
  }
}
