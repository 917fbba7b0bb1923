import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { QueueStats as Stats } from '@docuvault/ops/queues/queues.service';
import { QUEUE_NAMES, type ClassifyDocumentJob } from '@docuvault/shared/queue/jobs';
import { createRedis } from '@docuvault/shared/queue/redis';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { testRedisUrl } from '../../support/redis.ts';
import { sleep, startOpsQueues, STATS, until, type OpsQueues } from '../../support/ops-queues.ts';

/** The classification step the test worker runs: broken until `extractor.healthy` flips. */
const extractor = { healthy: false };
function classify(job: Job<ClassifyDocumentJob>): string {
  if (!extractor.healthy) throw new Error(`text extractor unavailable for ${job.data.documentId}`);
  return 'classified';
}

// Ops' failed-job listing, retries and pause, with a worker on the queue (queues.test.ts has the
// reads without one and the operator's access).
describe('ops queues, with a worker', () => {
  let h: OpsQueues;
  let workerRedis: Redis;
  let worker: Worker<ClassifyDocumentJob>;

  beforeAll(async () => {
    h = await startOpsQueues('ops-queues-worker');
    workerRedis = createRedis(testRedisUrl(), 'worker');
    worker = new Worker<ClassifyDocumentJob>(QUEUE_NAMES.classify, async (job) => classify(job), {
      connection: workerRedis,
      prefix: h.prefix,
      concurrency: 4,
    });
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await worker?.close();
    workerRedis?.disconnect();
    await h?.close();
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
      () => h.queue.getFailedCount(),
      (count) => count === n,
    );

  it('lists a job that failed every attempt with attempts and reason, never its stack; retryJob runs it afresh until it completes', async () => {
    extractor.healthy = false;
    expect((await h.classifyStats()).workers).toBe(1);
    const job = await h.enqueue();
    await failedCount(1);

    const page = await h.failedJobs();
    expect(page.totalCount).toBe(1);
    const node = page.edges[0]!.node;
    expect(node).toMatchObject({
      id: job.id,
      queue: 'classify',
      documentId: job.data.documentId,
      attemptsMade: 2,
      failedReason: `text extractor unavailable for ${job.data.documentId}`,
    });
    expect(JSON.stringify(page)).not.toMatch(/queues-worker\.test\.ts|\bat /);
    expect(Date.parse(node.failedAt)).toBeLessThanOrEqual(Date.now());

    // A retry starts afresh: every attempt again (2 more, not 1), not one last try.
    expect(await h.retryJob(job.id!)).toBe(true);
    await until(
      () => h.failedJobs(),
      (p) => p.totalCount === 1 && p.edges[0]!.node.failedAt !== node.failedAt,
    );
    expect((await h.failedJobs()).edges[0]!.node.attemptsMade).toBe(2);

    extractor.healthy = true;
    const done = completion(job.id!);
    expect(await h.retryJob(job.id!)).toBe(true);
    await done;
    expect((await h.failedJobs()).totalCount).toBe(0);
    expect(await h.classifyStats()).toMatchObject({ failed: 0, completed: 1 });

    // Completed, not failed: nothing to retry. And an id the queue never had is NOT_FOUND.
    expect(await h.retryJob(job.id!)).toBe(false);
    const unknown = await h.graphql(
      'mutation { retryJob(id: "no-such-job") }',
      {},
      { authorization: h.asOperator },
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('pages failed jobs newest first, and retryAllFailed retries each once and says how many', async () => {
    extractor.healthy = false;
    const jobs = [];
    for (let i = 0; i < 3; i++) {
      jobs.push(await h.enqueue());
      await failedCount(i + 1); // one at a time: distinct failure times give a known order
    }

    const first = await h.failedJobs({ first: 2 });
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await h.failedJobs({ first: 2, after: first.pageInfo.endCursor });
    expect(second.pageInfo.hasNextPage).toBe(false);
    const ids = [...first.edges, ...second.edges].map((edge) => edge.node.id);
    expect(ids).toEqual(jobs.map((job) => job.id).reverse());

    extractor.healthy = true;
    const done = Promise.all(jobs.map((job) => completion(job.id!)));
    expect(await h.retryAllFailed()).toBe(3);
    await done;
    expect(await h.retryAllFailed()).toBe(0);
    expect(await h.classifyStats()).toMatchObject({ failed: 0, waiting: 0 });
  });

  it('pauses and resumes the queue: paused shows in queues, and a paused queue holds its jobs', async () => {
    extractor.healthy = true;
    const paused = await h.data<{ pauseQueue: Stats }>(
      `mutation { pauseQueue(queue: "classify") { ${STATS} } }`,
    );
    expect(paused.pauseQueue).toMatchObject({ name: 'classify', paused: true });
    expect((await h.classifyStats()).paused).toBe(true);

    const job = await h.enqueue();
    const done = completion(job.id!);
    await sleep(500);
    expect(await h.classifyStats()).toMatchObject({ waiting: 1, active: 0, paused: true });

    const resumed = await h.data<{ resumeQueue: Stats }>(
      `mutation { resumeQueue(queue: "classify") { ${STATS} } }`,
    );
    expect(resumed.resumeQueue.paused).toBe(false);
    await done;
    expect(await h.classifyStats()).toMatchObject({ paused: false, waiting: 0 });
  });
});
