import { randomBytes, randomUUID } from 'node:crypto';
import type { QueueStats } from '@docuvault/ops/queues/queues.service';
import { loadConfig, opsEnv } from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { JOB_NAMES, type ClassifyDocumentJob } from '@docuvault/shared/queue/jobs';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import type { Job, JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl } from './redis.ts';
import { testS3 } from './s3.ts';

// Two ops subgraphs (one with OPS_TOKEN, one without) over the harness's Redis under a
// prefix of their own, and the operator's calls, for the queue tests. No worker runs unless
// a test starts one, so counts are exactly what the tests enqueue.

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface FailedJobNode {
  id: string;
  queue: string;
  documentId: string | null;
  attemptsMade: number;
  failedReason: string | null;
  failedAt: string;
}

export interface FailedPage {
  edges: { cursor: string; node: FailedJobNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export const STATS = 'name waiting active delayed completed failed paused oldestWaitingAgeSeconds workers';
export const FAILED_JOBS = `query ($queue: String!, $first: Int, $after: String) {
  failedJobs(queue: $queue, first: $first, after: $after) {
    edges { cursor node { id queue documentId attemptsMade failedReason failedAt } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`not reached: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

export interface OpsQueues {
  prefix: string;
  opsToken: string;
  /** The operator's authorization header. */
  asOperator: string;
  queue: ClassifyQueue;
  opsWithoutToken: RunningServer;
  /** As the operator (the ops token) unless `authorization` says otherwise (null: none). */
  graphql<T>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { authorization?: string | null; server?: RunningServer },
  ): Promise<GraphQLResponse<T>>;
  /** The data of an operation that must succeed. */
  data<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  classifyStats(): Promise<QueueStats>;
  failedJobs(variables?: { first?: number; after?: string | null }): Promise<FailedPage>;
  retryJob(id: string): Promise<boolean>;
  retryAllFailed(): Promise<number>;
  /** A classify job that gets two tries with no backoff between them. */
  enqueue(options?: JobsOptions): Promise<Job<ClassifyDocumentJob>>;
  close(): Promise<void>;
}

export async function startOpsQueues(name: string): Promise<OpsQueues> {
  const prefix = testRedisPrefix(name);
  const opsToken = randomBytes(24).toString('base64url');
  const asOperator = `Bearer ${opsToken}`;
  const producer: Redis = createRedis(testRedisUrl(), 'producer');
  const queue = createClassifyQueue(producer, prefix);
  const orm = await createOrm({ url: process.env.TEST_DATABASE_URL ?? '', poolMax: 1 });
  const start = async (extra: Record<string, string>) => {
    const s3 = testS3();
    const config = loadConfig('ops', opsEnv, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      GIT_COMMIT: 'queues-test-commit',
      SECRET_KEY: 'test-secret-key-that-is-long-enough-0123',
      // Queues never touch PostgreSQL or S3; ops needs both configured all the same.
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKey,
      MINIO_ROOT_PASSWORD: s3.secretKey,
      MINIO_REGION: s3.region,
      ...extra,
    });
    const deps = { config, logger: createLogger('ops', 'silent'), orm, redis: producer, queue };
    return (await createOpsSubgraph({ ...deps, store: createObjectStore(config) })).listen('127.0.0.1', 0);
  };
  const ops = await start({ OPS_TOKEN: opsToken });
  const opsWithoutToken = await start({});

  const graphql: OpsQueues['graphql'] = async (query, variables = {}, options = {}) => {
    const authorization = options.authorization === undefined ? asOperator : options.authorization;
    const response = await fetch(`${(options.server ?? ops).url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };
  const data = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const body = await graphql<T>(query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };

  return {
    prefix,
    opsToken,
    asOperator,
    queue,
    opsWithoutToken,
    graphql,
    data,
    classifyStats: async () =>
      (await data<{ queues: QueueStats[] }>(`{ queues { ${STATS} } }`)).queues.find(
        (q) => q.name === 'classify',
      )!,
    failedJobs: async (variables = {}) =>
      (await data<{ failedJobs: FailedPage }>(FAILED_JOBS, { queue: 'classify', ...variables })).failedJobs,
    retryJob: async (id) =>
      (await data<{ retryJob: boolean }>('mutation ($id: ID!) { retryJob(id: $id) }', { id })).retryJob,
    retryAllFailed: async () =>
      (await data<{ retryAllFailed: number }>('mutation { retryAllFailed(queue: "classify") }'))
        .retryAllFailed,
    enqueue: (options = {}) => {
      const documentId = randomUUID();
      return queue.add(
        JOB_NAMES.classifyDocument,
        { documentId },
        { jobId: documentId, attempts: 2, backoff: { type: 'fixed', delay: 0 }, ...options },
      );
    },
    close: async () => {
      await ops.close();
      await opsWithoutToken.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      producer.disconnect();
      await orm.close();
    },
  };
}
