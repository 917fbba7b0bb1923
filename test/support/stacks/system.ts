import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import { loadConfig, opsEnv, type DocumentsConfig } from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import { createLogger, type Logger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import { testRedisUrl } from '../redis.ts';
import { TEST_SECRET_KEY } from '../signed-fetch.ts';
import { startGatewayAt, type SubgraphUrls } from './gateway.ts';
import { startStorageSubgraph } from './storage.ts';
import { startUploadStack, type UploadStack } from './uploads.ts';

// The whole system in this process, on ephemeral ports, against the harness's services:
// the gateway and the three subgraphs (documents with uploads, storage, ops), each
// subgraph refusing requests the gateway did not sign. The documents side is the upload
// stack (its database, bucket, queue and the counts the tests compare).

export interface Stack {
  readonly gatewayUrl: string;
  readonly documents: UploadStack;
  /** Each subgraph's /graphql. */
  readonly subgraphUrls: SubgraphUrls;
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
  const orm = await createOrm({ url: config.DATABASE_URL, poolMax: 2 });
  const redis = createRedis(config.REDIS_URL, 'producer');
  const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
  const deps = { config, logger: createLogger('ops', 'silent'), orm, redis, queue };
  const server = await (
    await createOpsSubgraph({ ...deps, store: createObjectStore(config) })
  ).listen('127.0.0.1', 0);
  return {
    server,
    async close() {
      await server.close();
      await queue.close();
      redis.disconnect();
      await orm.close();
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
    const { server: storage } = await startStorageSubgraph(documents, { signed: true });
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
