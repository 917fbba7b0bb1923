import {
  documentsEnv,
  loadConfig,
  storageEnv,
  type DocumentsConfig,
  type StorageConfig,
} from '@docuvault/shared/config/index';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore, type ObjectStore } from '@docuvault/shared/object-store/client';
import { JOB_NAMES } from '@docuvault/shared/queue/jobs';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import { createDocumentsTestDeps, type DocumentsTestDeps, type GraphQLResponse } from './documents.ts';
import { testRedisUrl } from '../redis.ts';

export interface StorageSubgraph {
  readonly config: StorageConfig;
  readonly store: ObjectStore;
  readonly server: RunningServer;
}

/**
 * The storage subgraph (presigned downloads, object facts), in-process on a free port, over
 * documents test deps: the same bucket and Redis prefix as the documents subgraph.
 * `signed`: it serves only requests the gateway signed. `env` goes on top of the defaults.
 */
export async function startStorageSubgraph(
  documents: DocumentsTestDeps,
  options: { signed?: boolean; env?: Record<string, string> } = {},
): Promise<StorageSubgraph> {
  const own = documents.deps.config;
  const config = loadConfig('storage', storageEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...(options.signed ? { SUBGRAPH_REQUIRE_SIGNATURE: 'true' } : {}),
    SECRET_KEY: own.SECRET_KEY,
    DATABASE_URL: documents.database.appUrl,
    REDIS_URL: own.REDIS_URL,
    REDIS_PREFIX: own.REDIS_PREFIX,
    MINIO_ENDPOINT: own.MINIO_ENDPOINT,
    MINIO_ROOT_USER: own.MINIO_ROOT_USER,
    MINIO_ROOT_PASSWORD: own.MINIO_ROOT_PASSWORD,
    MINIO_REGION: own.MINIO_REGION,
    MINIO_BUCKET: documents.bucket.bucket,
    ...options.env,
  });
  const store = createObjectStore(config);
  const subgraph = await createStorageSubgraph({
    config,
    logger: createLogger('storage', 'silent'),
    store,
    // Signed call ids are remembered where the documents side remembers them (one prefix per suite).
    redis: documents.deps.redis,
  });
  return { config, store, server: await subgraph.listen('127.0.0.1', 0) };
}

export interface TicketStack extends DocumentsTestDeps {
  readonly config: DocumentsConfig;
  readonly store: ObjectStore;
  readonly server: RunningServer;
  /** POSTs one operation to the subgraph's /graphql, as the gateway would. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** The same, to the storage subgraph (Document.download, Document.object). */
  storageGraphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  counts(): Promise<{ documents: number; tickets: number; objects: number }>;
  objectKeys(): Promise<string[]>;
  /** Ids of the documents with a classify job in the queue. */
  queuedDocuments(): Promise<string[]>;
}

/**
 * Direct uploads (docs/adr/0004-subgraph-boundaries.md): the documents subgraph serves the
 * ticket mutations, the storage subgraph downloads, over documents test deps of their own.
 */
export async function startTicketStack(
  label: string,
  env: Record<string, string> = {},
): Promise<TicketStack> {
  const deps = await createDocumentsTestDeps(label);
  const documents = deps.deps.config;
  const config = loadConfig('documents', documentsEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: documents.SECRET_KEY,
    DATABASE_URL: documents.DATABASE_URL,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: documents.REDIS_PREFIX,
    MINIO_ENDPOINT: documents.MINIO_ENDPOINT,
    MINIO_ROOT_USER: documents.MINIO_ROOT_USER,
    MINIO_ROOT_PASSWORD: documents.MINIO_ROOT_PASSWORD,
    MINIO_REGION: documents.MINIO_REGION,
    MINIO_BUCKET: deps.bucket.bucket,
    ...env,
  });
  const store = createObjectStore(config);
  // Assigned in the try below; on a failure there, whatever did start is closed.
  let server: RunningServer | undefined;
  let storage: RunningServer;
  try {
    const subgraph = await createDocumentsSubgraph({ ...deps.deps, config, store });
    server = await subgraph.listen('127.0.0.1', 0);
    const storageConfig = loadConfig('storage', storageEnv, { ...stringEnv(config), ...env });
    storage = await (
      await createStorageSubgraph({
        config: storageConfig,
        logger: createLogger('storage', 'silent'),
        store: createObjectStore(storageConfig),
      })
    ).listen('127.0.0.1', 0);
  } catch (error) {
    await server?.close();
    await deps.close();
    throw error;
  }
  const documentsServer = server;
  const post = async <T>(url: string, query: string, variables: Record<string, unknown>, headers = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  const { client, bucket } = deps.bucket;
  const objectKeys = async () => {
    const keys: string[] = [];
    for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
    return keys.sort();
  };
  const count = async (table: 'documents' | 'upload_tickets') => {
    const { rows } = await deps.admin.query<{ count: number }>(`select count(*)::int as count from ${table}`);
    return rows[0]?.count ?? 0;
  };
  return {
    ...deps,
    config,
    store,
    server: documentsServer,
    graphql: <T>(query: string, variables: Record<string, unknown> = {}, headers = {}) =>
      post<T>(documentsServer.url, query, variables, headers),
    storageGraphql: <T>(query: string, variables: Record<string, unknown> = {}) =>
      post<T>(storage.url, query, variables),
    async counts() {
      const [documents, tickets, objects] = await Promise.all([
        count('documents'),
        count('upload_tickets'),
        objectKeys().then((keys) => keys.length),
      ]);
      return { documents, tickets, objects };
    },
    objectKeys,
    async queuedDocuments() {
      const jobs = await deps.deps.queue.getJobs(['waiting', 'delayed', 'prioritized']);
      return jobs
        .filter((job) => job.name === JOB_NAMES.classifyDocument)
        .map((job) => job.data.documentId)
        .sort();
    },
    async close() {
      await storage.close();
      await documentsServer.close();
      await deps.close();
    },
  };
}

/** The documents config's object-store settings as environment strings, for the storage config. */
function stringEnv(config: DocumentsConfig): Record<string, string> {
  const { MINIO_ENDPOINT, MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, MINIO_REGION, MINIO_BUCKET } = config;
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: config.SECRET_KEY,
    REDIS_URL: config.REDIS_URL,
    REDIS_PREFIX: config.REDIS_PREFIX,
    MINIO_ENDPOINT,
    MINIO_ROOT_USER,
    MINIO_ROOT_PASSWORD,
    MINIO_REGION,
    MINIO_BUCKET,
  };
}
