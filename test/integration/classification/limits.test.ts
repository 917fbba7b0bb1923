import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { DOCX_MIME_TYPE } from '@docuvault/documents/classification/text/extract';
import { textPdf } from '../../fixtures/pdf.ts';
import { manyPagesPdf, ratioBombDocx } from '../../hostile/hostile-files.ts';
import { createTestUser } from '../../support/users.ts';
import { createTopic, startClassificationStack, type ClassificationStack } from './support.ts';

// The limits of one document's classification (issue 15.2): time, memory, deletion while
// it runs, and one owner's heavy files not starving another owner. Each case runs its own
// in-process worker with the limits it needs.

let stack: ClassificationStack;
let worker: WorkerRuntime | undefined;

/** 200 000 blank pages: never fills the text cap, so a reader without limits turns them all. */
const endlessPdf = manyPagesPdf(200_000, { blank: true });

async function startWorker(extra: Record<string, string>): Promise<void> {
  worker = await stack.startWorker({ CLASSIFIER_LABEL_CHECK_SECONDS: '3600', ...extra });
}

async function failureReason(id: string): Promise<string> {
  const { rows } = await stack.admin.query('select failure_reason from documents where id = $1', [id]);
  return rows[0].failure_reason as string;
}

async function jobOf(id: string) {
  const job = await stack.deps.queue.getJob(id);
  return { state: await job?.getState(), attemptsMade: job?.attemptsMade, returned: job?.returnvalue };
}

const deleteDocument = (id: string) =>
  stack.graphql<{ deleteDocument: boolean }>('mutation ($id: ID!) { deleteDocument(id: $id) }', { id });

beforeAll(async () => {
  stack = await startClassificationStack('classification-limits');
  await createTopic(stack, { name: 'Finance', matchMode: 'ANY', pattern: 'invoice payment' });
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

afterAll(async () => {
  await stack?.close();
});

describe('a classification job', () => {
  it('is stopped at its time limit and fails at once, saying so', async () => {
    await startWorker({ EXTRACTION_TIMEOUT_SECONDS: '2', EXTRACTION_MAX_PAGES: '1000000' });
    const started = Date.now();
    const id = await stack.putDocument({
      title: 'Endless',
      filename: 'endless.pdf',
      mimeType: 'application/pdf',
      body: endlessPdf,
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 30_000)).toBe('FAILED');
    process.stdout.write(`time limit: FAILED after ${Date.now() - started} ms\n`);
    expect(await failureReason(id)).toMatch(/took longer than 2 s \(EXTRACTION_TIMEOUT_SECONDS\)/);
    // Deterministic overrun: one attempt, no retry.
    expect(await jobOf(id)).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('is stopped at its memory limit and fails at once, while the worker goes on', async () => {
    // Caps on unzipping lifted and a large text cap: only the memory limit is left.
    await startWorker({
      EXTRACTION_MEMORY_LIMIT_MB: '256',
      EXTRACTION_MAX_UNZIPPED_BYTES: String(4 * 1024 * 1024 * 1024),
      EXTRACTION_MAX_ZIP_RATIO: '100000',
      EXTRACTED_TEXT_LIMIT_BYTES: String(64 * 1024 * 1024),
    });
    const id = await stack.putDocument({
      title: 'Bomb',
      filename: 'bomb.docx',
      mimeType: DOCX_MIME_TYPE,
      body: await ratioBombDocx(200),
    });
    expect(await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 30_000)).toBe('FAILED');
    expect(await failureReason(id)).toMatch(
      /needed more than 256 MB of memory \(EXTRACTION_MEMORY_LIMIT_MB\)/,
    );
    expect(await jobOf(id)).toMatchObject({ state: 'failed', attemptsMade: 1 });

    const next = await stack.putDocument({
      title: 'After',
      filename: 'after.pdf',
      mimeType: 'application/pdf',
      body: textPdf('Invoice 12: payment due.'),
    });
    expect(await stack.waitForStatus(next, ['CLASSIFIED', 'FAILED'])).toBe('CLASSIFIED');
  });

  it('stops when its document is deleted, and completes without writing anything', async () => {
    await startWorker({ EXTRACTION_MAX_PAGES: '1000000' });
    const id = await stack.putDocument({
      title: 'Endless',
      filename: 'endless.pdf',
      mimeType: 'application/pdf',
      body: endlessPdf,
    });
    expect(await stack.waitForStatus(id, ['PROCESSING'])).toBe('PROCESSING');
    const deletedAt = Date.now();
    expect((await deleteDocument(id)).data?.deleteDocument).toBe(true);
    let job = await jobOf(id);
    while (job.state !== 'completed' && Date.now() - deletedAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await jobOf(id);
    }
    process.stdout.write(`deleted document's job stopped after ${Date.now() - deletedAt} ms\n`);
    // Its extraction would take minutes; the deletion ends it within seconds.
    expect(job).toMatchObject({ state: 'completed', returned: { outcome: 'deleted while classified' } });
  });
});

describe('fairness between owners', () => {
  it("serves another owner's small document while one owner's heavy documents wait their turn", async () => {
    await startWorker({
      WORKER_CONCURRENCY: '2',
      WORKER_HEAVY_JOB_BYTES: String(256 * 1024),
      WORKER_HEAVY_JOBS_PER_OWNER: '1',
      EXTRACTION_MAX_PAGES: '1000000',
    });
    // Owner A: the anonymous vault, two heavy documents (minutes each, well within the time limit).
    const heavy = (n: number) =>
      stack.putDocument({
        title: `Heavy ${n}`,
        filename: `heavy-${n}.pdf`,
        mimeType: 'application/pdf',
        body: endlessPdf,
      });
    const a1 = await heavy(1);
    const a2 = await heavy(2);
    expect(endlessPdf.length).toBeGreaterThan(256 * 1024);
    const statuses = async () => {
      const { rows } = await stack.admin.query<{ id: string; status: string }>(
        'select id, status from documents where id = any($1)',
        [[a1, a2]],
      );
      return Object.fromEntries(rows.map((row) => [row.id === a1 ? 'a1' : 'a2', row.status]));
    };
    // One of A's runs; the other found A's heavy slot taken and waits, its worker slot free.
    const deadline = Date.now() + 15_000;
    let now = await statuses();
    while (!Object.values(now).includes('PROCESSING') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = await statuses();
    }
    const b = await createTestUser(stack.admin);
    const small = await stack.putDocument({
      title: 'Small',
      filename: 'small.pdf',
      mimeType: 'application/pdf',
      body: textPdf('Invoice 7: payment received, thank you.'),
      owner: b.id,
    });
    expect(await stack.waitForStatus(small, ['CLASSIFIED', 'FAILED'], 15_000)).toBe('CLASSIFIED');
    // B did not wait for A: A's documents are still one running, one waiting.
    expect(Object.values(await statuses()).sort()).toEqual(['PROCESSING', 'UPLOADED']);

    // When A's running document goes, A's other one takes its turn.
    const running = (await statuses()).a1 === 'PROCESSING' ? a1 : a2;
    const waiting = running === a1 ? a2 : a1;
    expect((await deleteDocument(running)).data?.deleteDocument).toBe(true);
    expect(await stack.waitForStatus(waiting, ['PROCESSING'], 15_000)).toBe('PROCESSING');
    expect((await deleteDocument(waiting)).data?.deleteDocument).toBe(true);
  }, 90_000);
});
