import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { buildPdf } from '../../fixtures/pdf.ts';
import {
  createTopic,
  startClassificationStack,
  topicNames,
  readDocument,
  type ClassificationStack,
} from './support.ts';
import { spawnWorker, waitUntilReady, type WorkerProcess } from './worker-process.ts';

// Worker processes as they run in production: killed mid-job, stopped with SIGTERM.

let stack: ClassificationStack;
const workers: WorkerProcess[] = [];

/**
 * A legitimately slow document: 3,200 short pages (~0.8 MB of text, under the 1 MB cap)
 * take pdf.js a few seconds, long enough to stop a worker in the middle of it. Above the
 * default page cap, so these workers have a higher one.
 */
const slowPdf = buildPdf(
  Array.from({ length: 3_200 }, (_, page) => ({
    lines: Array.from(
      { length: 4 },
      (_, line) => `Page ${page + 1}, line ${line + 1}: this contract clause governs payment.`,
    ),
  })),
);

async function start(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = await spawnWorker(
    stack.workerEnv({ WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info', EXTRACTION_MAX_PAGES: '5000', ...env }),
  );
  workers.push(worker);
  await waitUntilReady(worker);
  return worker;
}

/** The job's state once it is `expected`, or whatever it is after a few seconds. */
async function jobState(id: string, expected: string): Promise<string | undefined> {
  let state: string | undefined;
  for (let i = 0; i < 100 && state !== expected; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    state = await (await stack.deps.queue.getJob(id))?.getState();
  }
  return state;
}

beforeAll(async () => {
  stack = await startClassificationStack('classification-workers');
  await createTopic(stack, { name: 'Legal', matchMode: 'ALL', pattern: 'contract clause' });
  await createTopic(stack, { name: 'Finance', matchMode: 'ANY', pattern: 'payment invoice' });
});

afterEach(async () => {
  const stopped = workers.splice(0);
  for (const worker of stopped) worker.kill('SIGKILL');
  await Promise.all(stopped.map((worker) => worker.exited));
});

afterAll(async () => {
  await stack?.close();
});

describe('a worker process', () => {
  it('serves its health: live always, ready when Postgres, Redis and the bucket answer', async () => {
    const worker = await start();
    const live = await fetch(`${worker.healthUrl}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${worker.healthUrl}/health/ready`);
    const body = (await ready.json()) as { status: string; checks: Record<string, unknown> };
    expect(body.status).toBe('pass');
    expect(Object.keys(body.checks).sort()).toEqual([
      'objectStore:responseTime',
      'postgres:responseTime',
      'postgres:schema:responseTime',
      'redis:responseTime',
    ]);
  });

  it('has its job taken over by another worker when it is killed mid-job', async () => {
    const first = await start();
    const id = await stack.putDocument({
      title: 'Big contract',
      filename: 'big.pdf',
      mimeType: 'application/pdf',
      body: slowPdf,
    });
    expect(await stack.waitForStatus(id, ['PROCESSING'])).toBe('PROCESSING');
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;

    // Default lock (10 s) and stalled interval (5 s): the job must move on well within 30 s.
    await start();
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 60_000)).toBe('CLASSIFIED');
    const job = await stack.deps.queue.getJob(id);
    const takenOverAfterMs = (job?.processedOn ?? Infinity) - killedAt;
    process.stdout.write(`killed worker's job taken over after ${(takenOverAfterMs / 1000).toFixed(1)} s\n`);
    expect(takenOverAfterMs).toBeLessThan(30_000);
    // The row is written just before BullMQ records the job as completed.
    const state = await jobState(id, 'completed');
    if (state !== 'completed') {
      const failed = await stack.deps.queue.getJob(id);
      throw new Error(
        `job ${state}: ${failed?.failedReason}\n${workers.map((w) => w.output()).join('\n---\n')}`,
      );
    }

    const view = await readDocument(stack, id);
    expect(topicNames(view)).toEqual(['Finance', 'Legal']);
    const { rows } = await stack.admin.query(
      `select count(*)::int as topics, (select length(extracted_text) from documents where id = $1) as length
       from document_topics where document_id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ topics: 2, length: expect.any(Number) });
    expect(rows[0].length).toBeGreaterThan(500_000);
  }, 90_000);

  it('hands its job back on SIGTERM when the job outlasts the grace period', async () => {
    const first = await start({ WORKER_SHUTDOWN_GRACE_MS: '0' });
    const id = await stack.putDocument({
      title: 'Another',
      filename: 'another.pdf',
      mimeType: 'application/pdf',
      body: slowPdf,
    });
    expect(await stack.waitForStatus(id, ['PROCESSING'])).toBe('PROCESSING');
    first.kill('SIGTERM');
    const code = await first.exited;
    if (code !== 0) process.stdout.write(first.output());
    expect(code).toBe(0);
    expect(first.output()).toMatch(/job handed back to the queue/);
    expect(await jobState(id, 'waiting')).toBe('waiting');
    expect(await stack.waitForStatus(id, ['UPLOADED'])).toBe('UPLOADED');

    await start();
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 60_000)).toBe('CLASSIFIED');
  }, 90_000);

  it('finishes its job on SIGTERM within the grace period', async () => {
    const first = await start({ WORKER_SHUTDOWN_GRACE_MS: '60000' });
    const id = await stack.putDocument({
      title: 'Third',
      filename: 'third.pdf',
      mimeType: 'application/pdf',
      body: slowPdf,
    });
    expect(await stack.waitForStatus(id, ['PROCESSING'])).toBe('PROCESSING');
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await stack.waitForStatus(id, ['CLASSIFIED'], 1_000)).toBe('CLASSIFIED');
  }, 90_000);
});
