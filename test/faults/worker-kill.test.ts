import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createThumbnailQueue } from '@docuvault/documents/thumbnails/thumbnail-queue';
import { JOB_NAMES } from '@docuvault/shared/queue/jobs';
import { createRedis } from '@docuvault/shared/queue/redis';
import { buildPdf } from '../fixtures/pdf.ts';
import {
  spawnWorker,
  waitUntilReady,
  type WorkerProcess,
} from '../integration/classification/worker-process.ts';
import {
  createRuleTopic,
  statuses,
  topicRowsPerDocument,
  until,
  upload,
  uploadedId,
} from './support/clients.ts';
import { sharedServices, startFaultStack, type FaultStack } from './support/fault-stack.ts';

// A worker process (`npm run worker`) SIGKILLed in the middle of a batch: another worker
// takes its jobs over and every document is classified exactly once. Breaks no service,
// so it runs on the harness's shared ones.

let stack: FaultStack;
const workers: WorkerProcess[] = [];
const DOCUMENTS = 8;

/** A PDF pdf.js needs a moment for (hundreds of short pages), unique by `n`. */
const slowPdf = (n: number) =>
  buildPdf(
    Array.from({ length: 400 }, (_, page) => ({
      lines: [`Document ${n}, page ${page + 1}: this contract clause governs payment.`],
    })),
  );

/** Short locks: a killed worker's job is taken over within ~2.5 s. */
const WORKER_SETTINGS = {
  WORKER_CONCURRENCY: '1',
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '500',
};

async function startWorker(): Promise<WorkerProcess> {
  const worker = await spawnWorker(stack.workerEnv(WORKER_SETTINGS));
  workers.push(worker);
  await waitUntilReady(worker);
  return worker;
}

beforeAll(async () => {
  stack = await startFaultStack('fault-worker-kill', sharedServices());
  await createRuleTopic(stack, 'Legal', 'contract');
});

afterEach(async () => {
  const stopped = workers.splice(0);
  for (const worker of stopped) worker.kill('SIGKILL');
  await Promise.all(stopped.map((worker) => worker.exited));
});

afterAll(async () => {
  await stack?.close();
});

describe('a worker SIGKILLed mid-batch', () => {
  it('leaves every document classified exactly once by the worker that takes over', async () => {
    const ids: string[] = [];
    for (let n = 0; n < DOCUMENTS; n += 1) {
      const timed = await upload(stack, {
        filename: `contract-${n}.pdf`,
        content: slowPdf(n),
        contentType: 'application/pdf',
      });
      const id = uploadedId(timed);
      if (!id) throw new Error(`upload ${n} failed: ${timed.result?.text ?? String(timed.error)}`);
      ids.push(id);
    }

    const first = await startWorker();
    // Killed while a job runs and others still wait.
    const seen = await until(
      'a batch under way',
      () => statuses(stack),
      (s) => (s.CLASSIFIED ?? 0) >= 1 && (s.PROCESSING ?? 0) >= 1,
      60_000,
    );
    first.kill('SIGKILL');
    await first.exited;
    expect(seen.UPLOADED ?? 0).toBeGreaterThan(0);

    const killedAt = performance.now();
    await startWorker();
    // Classified, and the job done: a job goes on after the classification is saved (it asks
    // for the document's thumbnail), so CLASSIFIED alone does not mean completed.
    await until(
      'every document classified',
      () => statuses(stack),
      (s) => s.CLASSIFIED === DOCUMENTS,
      90_000,
    );
    const classifyJobs = async (...types: ('completed' | 'failed' | 'active' | 'waiting' | 'delayed')[]) =>
      (await stack.queue.getJobs(types)).filter((job) => job.name === JOB_NAMES.classifyDocument);
    await until(
      'every classify job completed',
      () => classifyJobs('active', 'waiting', 'delayed'),
      (unfinished) => unfinished.length === 0,
      30_000,
    );
    // Thumbnails are jobs of their own queue: the kill may have caught one too, and they
    // finish as well, each document with its one thumbnail.
    const redis = createRedis(stack.config.REDIS_URL, 'worker');
    const thumbnails = createThumbnailQueue(redis, stack.config.REDIS_PREFIX);
    try {
      await until(
        'every thumbnail job finished',
        () => thumbnails.getJobCounts('active', 'waiting', 'delayed', 'completed', 'failed'),
        (counts) =>
          counts.completed! + counts.failed! >= DOCUMENTS &&
          !counts.active &&
          !counts.waiting &&
          !counts.delayed,
        60_000,
      );
      expect(await thumbnails.getJobCounts('failed')).toEqual({ failed: 0 });
    } finally {
      await thumbnails.close();
      redis.disconnect();
    }
    const { rows: withThumbnail } = await stack.admin.query<{ n: number }>(
      'select count(*)::int as n from documents where thumbnail_key is not null',
    );
    expect(withThumbnail[0]!.n).toBe(DOCUMENTS);
    process.stderr.write(
      `worker SIGKILL: the batch finished ${Math.round(performance.now() - killedAt)} ms after the kill\n`,
    );

    // Exactly once: one topic assignment per document, one completed job each, none failed.
    expect(await topicRowsPerDocument(stack)).toEqual(Array.from({ length: DOCUMENTS }, () => 1));
    const completed = await classifyJobs('completed');
    expect(completed.map((job) => job.id).sort()).toEqual([...ids].sort());
    expect(await classifyJobs('failed', 'active', 'waiting', 'delayed')).toEqual([]);
    // The kill may have caught a thumbnail job between storing its object and recording it:
    // that object is queued for removal an hour later. Once the removals are due and run,
    // nothing is left that no row names, and every recorded thumbnail is still there.
    await stack.runObjectRemovalsLater();
    const keys = new Set<string>();
    for await (const item of stack.bucket.client.listObjectsV2(stack.bucket.bucket, '', true)) {
      if (item.name) keys.add(item.name);
    }
    const { rows: recorded } = await stack.admin.query<{ key: string }>(
      'select thumbnail_key as key from documents where thumbnail_key is not null',
    );
    expect(recorded.filter((row) => !keys.has(row.key))).toEqual([]);
    const counts = await stack.counts();
    expect(counts).toEqual({
      rows: DOCUMENTS,
      objects: DOCUMENTS,
      incompleteUploads: 0,
      chargedBytes: counts.storedBytes,
      storedBytes: counts.storedBytes,
    });
    expect(counts.storedBytes).toBeGreaterThan(0);
  });
});
