import { randomBytes, randomUUID } from 'node:crypto';
import type { QueueStats } from '@docuvault/ops/queues/queues.service';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, opsEnv } from '@docuvault/shared/config/index';
import { createOrm } from '@docuvault/shared/db/orm';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { JOB_NAMES, QUEUE_NAMES, type ClassifyDocumentJob } from '@docuvault/shared/queue/jobs';
import { createRedis } from '@docuvault/shared/queue/redis';
import { createOpsSubgraph } from '@docuvault/ops/ops-subgraph';
import { Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/postgresql';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { testS3 } from '../../support/s3.ts';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

type Stats = QueueStats;

interface FailedJobNode {
  id: string;
  queue: string;
  documentId: string | null;
  attemptsMade: number;
  failedReason: string | null;
  failedAt: string;
}

interface FailedPage {
  edges: { cursor: string; node: FailedJobNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const STATS = 'name waiting active delayed completed failed paused oldestWaitingAgeSeconds workers';
const FAILED_JOBS = `query ($queue: String!, $first: Int, $after: String) {
  failedJobs(queue: $queue, first: $first, after: $after) {
    edges { cursor node { id queue documentId attemptsMade failedReason failedAt } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`not reached: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

/** The classification step the test worker runs: broken until `extractor.healthy` flips. */
const extractor = { healthy: false };
function classify(job: Job<ClassifyDocumentJob>): string {
  if (!extractor.healthy) throw new Error(`text extractor unavailable for ${job.data.documentId}`);
  return 'classified';
}

// Ops over the harness's Redis under a prefix of its own; no worker runs unless a test
// starts one, so counts are exactly what the tests enqueue.
describe('ops queues', () => {
  const prefix = testRedisPrefix('ops-queues');
  const opsToken = randomBytes(24).toString('base64url');
  const asOperator = `Bearer ${opsToken}`;
  let producer: Redis;
  let queue: ClassifyQueue;
  let orm: MikroORM;
  let ops: RunningServer;
  let opsWithoutToken: RunningServer;

  const config = (extra: Record<string, string>) => {
    const s3 = testS3();
    return loadConfig('ops', opsEnv, {
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
  };

  beforeAll(async () => {
    producer = createRedis(testRedisUrl(), 'producer');
    queue = createClassifyQueue(producer, prefix);
    orm = await createOrm({ url: process.env.TEST_DATABASE_URL ?? '', poolMax: 1 });
    const start = async (extra: Record<string, string>) => {
      const cfg = config(extra);
      const deps = { config: cfg, logger: createLogger('ops', 'silent'), orm, redis: producer, queue };
      return (await createOpsSubgraph({ ...deps, store: createObjectStore(cfg) })).listen('127.0.0.1', 0);
    };
    ops = await start({ OPS_TOKEN: opsToken });
    opsWithoutToken = await start({});
  });

  afterAll(async () => {
    await ops?.close();
    await opsWithoutToken?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    producer?.disconnect();
    await orm?.close();
  });

  /** As the operator (the ops token) unless `authorization` says otherwise (null: none). */
  async function graphql<T>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { authorization?: string | null; server?: RunningServer } = {},
  ): Promise<GraphQLResponse<T>> {
    const authorization = options.authorization === undefined ? asOperator : options.authorization;
    const response = await fetch(`${(options.server ?? ops).url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  }

  /** The data of an operation that must succeed. */
  async function data<T>(query: string, variables: Record<string, unknown> = {}, authorization?: string) {
    const body = await graphql<T>(query, variables, authorization ? { authorization } : {});
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  }

  const classifyStats = async () =>
    (await data<{ queues: Stats[] }>(`{ queues { ${STATS} } }`)).queues.find((q) => q.name === 'classify')!;
  const failedJobs = (variables: { first?: number; after?: string | null } = {}) =>
    data<{ failedJobs: FailedPage }>(FAILED_JOBS, { queue: 'classify', ...variables }).then(
      (d) => d.failedJobs,
    );
  const retryJob = (id: string) =>
    data<{ retryJob: boolean }>('mutation ($id: ID!) { retryJob(id: $id) }', { id }, asOperator).then(
      (d) => d.retryJob,
    );
  const retryAllFailed = () =>
    data<{ retryAllFailed: number }>('mutation { retryAllFailed(queue: "classify") }', {}, asOperator).then(
      (d) => d.retryAllFailed,
    );

  /** A classify job that gets `attempts` tries with no backoff between them. */
  const enqueue = (options: JobsOptions = {}) => {
    const documentId = randomUUID();
    return queue.add(
      JOB_NAMES.classifyDocument,
      { documentId },
      { jobId: documentId, attempts: 2, backoff: { type: 'fixed', delay: 0 }, ...options },
    );
  };

  it('answers no read to a caller without the operator token (UNAUTHENTICATED) or with a wrong one', async () => {
    for (const read of [`{ queues { ${STATS} } }`, '{ version { commit } }', '{ versions { service } }']) {
      expect((await graphql(read, {}, { authorization: null })).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
      const wrong = await graphql(read, {}, { authorization: `Bearer ${opsToken}x` });
      expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(wrong.data).toBeNull();
    }
    const failed = await graphql(FAILED_JOBS, { queue: 'classify' }, { authorization: null });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(failed.data).toBeNull();
  });

  it('lists every queue of the job registry to an operator, with no age when nothing waits', async () => {
    const { queues } = await data<{ queues: Stats[] }>(`{ queues { ${STATS} } }`);
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values<string>(QUEUE_NAMES).sort());
    expect(queues.find((q) => q.name === 'classify')).toEqual({
      name: 'classify',
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
      paused: false,
      oldestWaitingAgeSeconds: null,
      workers: 0,
    });
  });

  it('counts what was enqueued, and the oldest waiting job ages while it waits', async () => {
    for (let i = 0; i < 3; i++) await enqueue();
    await enqueue({ delay: 60_000 });

    const first = await classifyStats();
    expect(first).toMatchObject({ waiting: 3, delayed: 1, active: 0, failed: 0, completed: 0, workers: 0 });
    expect(first.oldestWaitingAgeSeconds).toEqual(expect.any(Number));

    await sleep(1_100);
    const later = await classifyStats();
    expect(later.oldestWaitingAgeSeconds! - first.oldestWaitingAgeSeconds!).toBeGreaterThanOrEqual(1);

    await queue.drain(true);
    expect(await classifyStats()).toMatchObject({ waiting: 0, delayed: 0, oldestWaitingAgeSeconds: null });
  });

  describe('operator mutations', () => {
    const mutations = [
      ['retryJob', 'mutation { retryJob(id: "some-job") }'],
      ['retryAllFailed', 'mutation { retryAllFailed(queue: "classify") }'],
      ['pauseQueue', 'mutation { pauseQueue(queue: "classify") { paused } }'],
      ['resumeQueue', 'mutation { resumeQueue(queue: "classify") { paused } }'],
    ] as const;

    it.each(mutations)('refuses %s without a bearer token (UNAUTHENTICATED)', async (_name, mutation) => {
      const body = await graphql(mutation, {}, { authorization: null });
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('refuses a wrong token, and a token under another scheme (UNAUTHENTICATED)', async () => {
      for (const authorization of [`Bearer ${opsToken}x`, `Bearer ${'a'.repeat(32)}`, `Basic ${opsToken}`]) {
        const body = await graphql(
          'mutation { pauseQueue(queue: "classify") { paused } }',
          {},
          { authorization },
        );
        expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
      expect(await queue.isPaused()).toBe(false);
    });

    it('refuses every operator action when OPS_TOKEN is not configured (FORBIDDEN), whatever is sent', async () => {
      for (const [, mutation] of mutations) {
        const body = await graphql(mutation, {}, { server: opsWithoutToken, authorization: asOperator });
        expect(body.data).toBeNull();
        expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(body.errors?.[0]?.message).toMatch(/OPS_TOKEN is not configured/);
      }
    });

    it('checks the token before the arguments: an unknown queue is BAD_USER_INPUT for an operator only', async () => {
      const mutation = 'mutation { retryAllFailed(queue: "no-such-queue") }';
      expect((await graphql(mutation, {}, { authorization: null })).errors?.[0]?.extensions?.code).toBe(
        'UNAUTHENTICATED',
      );
      const body = await graphql(mutation, {}, { authorization: asOperator });
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  it('rejects an unknown queue and a forged cursor in failedJobs (BAD_USER_INPUT)', async () => {
    const unknown = await graphql(FAILED_JOBS, { queue: 'no-such-queue' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toMatch(/known: .*classify/);
    const forged = await graphql(FAILED_JOBS, { queue: 'classify', after: 'bm90IGEgY3Vyc29y' });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await graphql(FAILED_JOBS, { queue: 'classify', first: 101 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports its own build: service, commit, start time and Node version', async () => {
    const { version } = await data<{
      version: { service: string; commit: string; startedAt: string; node: string };
    }>('{ version { service commit startedAt node } }');
    expect(version).toEqual({
      service: 'ops',
      commit: 'queues-test-commit',
      startedAt: expect.any(String),
      node: process.version,
    });
    expect(Date.parse(version.startedAt)).toBeLessThanOrEqual(Date.now());
  });

  describe('with a worker', () => {
    let workerRedis: Redis;
    let worker: Worker<ClassifyDocumentJob>;

    beforeAll(async () => {
      workerRedis = createRedis(testRedisUrl(), 'worker');
      worker = new Worker<ClassifyDocumentJob>(QUEUE_NAMES.classify, async (job) => classify(job), {
        connection: workerRedis,
        prefix,
        concurrency: 4,
      });
      worker.on('error', () => undefined);
      await worker.waitUntilReady();
    });

    afterAll(async () => {
      await worker?.close();
      workerRedis?.disconnect();
    });

    /** Resolves when the worker completes job `id` (subscribe before causing it). */
    function completion(id: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`job ${id} did not complete`)), 10_000);
        const onCompleted = (job: Job) => {
          if (job.id !== id) return;
          clearTimeout(timer);
          worker.off('completed', onCompleted);
          resolve();
        };
        worker.on('completed', onCompleted);
      });
    }

    const failedCount = (n: number) =>
      until(
        () => queue.getFailedCount(),
        (count) => count === n,
      );

    it('lists a job that failed every attempt with attempts and reason, never its stack; retryJob runs it afresh until it completes', async () => {
      extractor.healthy = false;
      expect((await classifyStats()).workers).toBe(1);
      const job = await enqueue();
      await failedCount(1);

      const page = await failedJobs();
      expect(page.totalCount).toBe(1);
      const node = page.edges[0]!.node;
      expect(node).toMatchObject({
        id: job.id,
        queue: 'classify',
        documentId: job.data.documentId,
        attemptsMade: 2,
        failedReason: `text extractor unavailable for ${job.data.documentId}`,
      });
      expect(JSON.stringify(page)).not.toMatch(/queues\.test\.ts|\bat /);
      expect(Date.parse(node.failedAt)).toBeLessThanOrEqual(Date.now());

      // A retry starts afresh: every attempt again (2 more, not 1), not one last try.
      expect(await retryJob(job.id!)).toBe(true);
      await until(failedJobs, (p) => p.totalCount === 1 && p.edges[0]!.node.failedAt !== node.failedAt);
      expect((await failedJobs()).edges[0]!.node.attemptsMade).toBe(2);

      extractor.healthy = true;
      const done = completion(job.id!);
      expect(await retryJob(job.id!)).toBe(true);
      await done;
      expect((await failedJobs()).totalCount).toBe(0);
      expect(await classifyStats()).toMatchObject({ failed: 0, completed: 1 });

      // Completed, not failed: nothing to retry. And an id the queue never had is NOT_FOUND.
      expect(await retryJob(job.id!)).toBe(false);
      const unknown = await graphql(
        'mutation { retryJob(id: "no-such-job") }',
        {},
        { authorization: asOperator },
      );
      expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('pages failed jobs newest first, and retryAllFailed retries each once and says how many', async () => {
      extractor.healthy = false;
      const jobs = [];
      for (let i = 0; i < 3; i++) {
        jobs.push(await enqueue());
        await failedCount(i + 1); // one at a time: distinct failure times give a known order
      }

      const first = await failedJobs({ first: 2 });
      expect(first.totalCount).toBe(3);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = await failedJobs({ first: 2, after: first.pageInfo.endCursor });
      expect(second.pageInfo.hasNextPage).toBe(false);
      const ids = [...first.edges, ...second.edges].map((edge) => edge.node.id);
      expect(ids).toEqual(jobs.map((job) => job.id).reverse());

      extractor.healthy = true;
      const done = Promise.all(jobs.map((job) => completion(job.id!)));
      expect(await retryAllFailed()).toBe(3);
      await done;
      expect(await retryAllFailed()).toBe(0);
      expect(await classifyStats()).toMatchObject({ failed: 0, waiting: 0 });
    });

    it('pauses and resumes the queue: paused shows in queues, and a paused queue holds its jobs', async () => {
      extractor.healthy = true;
      const paused = await data<{ pauseQueue: Stats }>(
        `mutation { pauseQueue(queue: "classify") { ${STATS} } }`,
        {},
        asOperator,
      );
      expect(paused.pauseQueue).toMatchObject({ name: 'classify', paused: true });
      expect((await classifyStats()).paused).toBe(true);

      const job = await enqueue();
      const done = completion(job.id!);
      await sleep(500);
      expect(await classifyStats()).toMatchObject({ waiting: 1, active: 0, paused: true });

      const resumed = await data<{ resumeQueue: Stats }>(
        `mutation { resumeQueue(queue: "classify") { ${STATS} } }`,
        {},
        asOperator,
      );
      expect(resumed.resumeQueue.paused).toBe(false);
      await done;
      expect(await classifyStats()).toMatchObject({ paused: false, waiting: 0 });
    });
  });
});
