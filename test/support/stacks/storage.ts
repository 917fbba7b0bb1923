import { loadConfig, storageEnv, type StorageConfig } from '@docuvault/shared/config/index';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore, type ObjectStore } from '@docuvault/shared/object-store/client';
import { JOB_NAMES } from '@docuvault/shared/queue/jobs';
import { createStorageSubgraph } from '@docuvault/storage/storage-subgraph';
import { createDocumentsTestDeps, type DocumentsTestDeps, type GraphQLResponse } from './documents.ts';

export interface StorageSubgraph {
  readonly config: StorageConfig;
  readonly store: ObjectStore;
  readonly server: RunningServer;
}

/**
 * The storage subgraph with direct uploads, in-process on a free port, over documents test
 * deps: it writes the same database, bucket and classify queue as the documents subgraph.
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
    tickets: { em: documents.orm.em, queue: documents.deps.queue },
  });
  return { config, store, server: await subgraph.listen('127.0.0.1', 0) };
}

export interface TicketStack extends DocumentsTestDeps {
  readonly config: StorageConfig;
  readonly store: ObjectStore;
  readonly server: RunningServer;
  /** POSTs one operation to the storage subgraph's /graphql, as the gateway would. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  counts(): Promise<{ documents: number; tickets: number; objects: number }>;
  objectKeys(): Promise<string[]>;
  /** Ids of the documents with a classify job in the queue. */
  queuedDocuments(): Promise<string[]>;
}

/** The storage subgraph over documents test deps of its own, with what ticket tests count. */
export async function startTicketStack(
  label: string,
  env: Record<string, string> = {},
): Promise<TicketStack> {
  const deps = await createDocumentsTestDeps(label);
  let storage: StorageSubgraph;
  try {
    storage = await startStorageSubgraph(deps, { env });
  } catch (error) {
    await deps.close();
    throw error;
  }
  const { config, store, server } = storage;
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
    server,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, headers = {}) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<T>;
    },
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
      await server.close();
      await deps.close();
    },
  };
}
