import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createThumbnailQueue, type ThumbnailQueue } from '@docuvault/documents/thumbnails/thumbnail-queue';
import { startWorkerRuntime, type WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { JOB_NAMES } from '@docuvault/shared/queue/jobs';
import type { Job, Queue } from 'bullmq';
import { pino } from 'pino';
import { textPdf } from '../../fixtures/pdf.ts';
import { eventually } from '../../support/eventually.ts';
import { finishedJob } from '../../support/finished-job.ts';
import { startClassificationStack, type ClassificationStack } from '../classification/support.ts';

// Thumbnails as jobs of their own queue, with real workers, database, bucket and Redis: a
// classify job asks for one once the document is CLASSIFIED; the thumbnail is made apart
// from the classification (its own slots, THUMBNAIL_CONCURRENCY), whatever becomes of it
// changes nothing about the classification, and a rerun keeps the thumbnail it has.

let stack: ClassificationStack;
let thumbnails: ThumbnailQueue;
const log: string[] = [];

const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      log.push(chunk.toString());
      done();
    },
  }),
);

async function withWorker<T>(
  options: { searchPath?: string; thumbnailConcurrency?: number },
  work: (worker: WorkerRuntime) => Promise<T>,
): Promise<T> {
  const config = stack.workerConfig({ THUMBNAIL_CONCURRENCY: String(options.thumbnailConcurrency ?? 1) });
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  const worker = await startWorkerRuntime(config, { healthPort: 0, logger, searchPath });
  try {
    return await work(worker);
  } finally {
    await worker.close();
  }
}

const row = async (id: string) =>
  (
    await stack.admin.query<{ status: string; thumbnail_key: string | null; updated_at: Date }>(
      'select status, thumbnail_key, updated_at from documents where id = $1',
      [id],
    )
  ).rows[0];

const putPdf = (title: string) =>
  stack.putDocument({ title, filename: `${title}.pdf`, mimeType: 'application/pdf', body: textPdf(title) });

/** The document's thumbnail jobs in the given states. */
const thumbnailJobs = async (id: string, ...states: ('waiting' | 'completed' | 'failed' | 'active')[]) =>
  (await thumbnails.getJobs(states)).filter((job: Job) => job.data.documentId === id);

/** The return value of the classify job of the document (its upload's job id is the document id). */
const classifyResult = async (id: string) =>
  (await finishedJob(stack.deps.queue as unknown as Queue, id, 30_000))?.returnvalue as unknown;

async function objectsUnder(key: string): Promise<string[]> {
  const prefix = key.slice(0, key.lastIndexOf('/') + 1);
  const names: string[] = [];
  for await (const item of stack.bucket.client.listObjectsV2(stack.bucket.bucket, prefix, true))
    names.push((item as { name: string }).name);
  return names;
}

beforeAll(async () => {
  stack = await startClassificationStack('thumbnail-jobs');
  thumbnails = createThumbnailQueue(stack.deps.redis, stack.deps.config.REDIS_PREFIX);
}, 60_000);

afterAll(async () => {
  await thumbnails?.close();
  await stack?.close();
});

describe('thumbnail jobs', () => {
  it('are asked for once CLASSIFIED, wait while no worker makes thumbnails, and are made by one that does', async () => {
    const id = await putPdf('Gas bill');
    await withWorker({ thumbnailConcurrency: 0 }, async (worker) => {
      expect(worker.thumbnailWorker).toBeUndefined();
      await stack.waitForStatus(id, ['CLASSIFIED']);
      expect(await classifyResult(id)).toMatchObject({ outcome: 'classified', thumbnailRequested: true });
      expect(await thumbnailJobs(id, 'waiting')).toHaveLength(1);
      expect(await row(id)).toMatchObject({ status: 'CLASSIFIED', thumbnail_key: null });
    });
    const classified = (await row(id))!;

    await withWorker({}, async () => {
      expect(await eventually(async () => (await row(id))!.thumbnail_key !== null, 30_000)).toBe(true);
    });
    const after = (await row(id))!;
    expect(after.status).toBe('CLASSIFIED');
    // A thumbnail is not a change of the document.
    expect(after.updated_at).toEqual(classified.updated_at);
    expect(await objectsUnder(after.thumbnail_key!)).toContain(after.thumbnail_key);
    const [done] = await thumbnailJobs(id, 'completed');
    expect(done?.returnvalue).toMatchObject({ outcome: 'made', key: after.thumbnail_key });
  });

  it('are not asked for a type that has no thumbnail', async () => {
    await withWorker({}, async () => {
      const id = await stack.putDocument({
        title: 'Notes',
        filename: 'notes.txt',
        mimeType: 'text/plain',
        body: Buffer.from('Notes of the tenants meeting.\n'),
      });
      await stack.waitForStatus(id, ['CLASSIFIED']);
      expect(await classifyResult(id)).toMatchObject({ outcome: 'classified', thumbnailRequested: false });
      expect(await thumbnailJobs(id, 'waiting', 'active', 'completed', 'failed')).toEqual([]);
    });
  });

  it('leave a document CLASSIFIED without a thumbnail when it cannot be made, not retried, the reason logged', async () => {
    // A worker whose PATH has no pdftoppm: the PDF's text layer is read all the same.
    await withWorker({ searchPath: '/nonexistent' }, async () => {
      const id = await putPdf('Water bill');
      await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED']);
      expect(await eventually(async () => (await thumbnailJobs(id, 'completed')).length === 1, 30_000)).toBe(
        true,
      );
      const [job] = await thumbnailJobs(id, 'completed');
      expect(job!.returnvalue).toMatchObject({ outcome: 'failed' });
      expect(job!.attemptsMade).toBe(1);
      const line = JSON.parse(log.find((l) => l.includes(id) && l.includes('no thumbnail'))!) as {
        reason: string;
      };
      expect(line.reason).toMatch(/pdftoppm .*not on the PATH/);
      expect(await row(id)).toMatchObject({ status: 'CLASSIFIED', thumbnail_key: null });
    });
  });

  it('make it once: a rerun of the classification keeps the thumbnail it has and stores no second one', async () => {
    await withWorker({}, async () => {
      const id = await putPdf('Lease');
      await stack.waitForStatus(id, ['CLASSIFIED']);
      expect(await eventually(async () => (await row(id))!.thumbnail_key !== null, 30_000)).toBe(true);
      const first = (await row(id))!;

      // The job again, as a retry or a reclassification runs it (another job id: the first is kept).
      await stack.deps.queue.add(
        JOB_NAMES.classifyDocument,
        { documentId: id, requestId: 'rerun' },
        { jobId: `${id}-rerun` },
      );
      expect(await eventually(async () => (await thumbnailJobs(id, 'completed')).length === 2, 30_000)).toBe(
        true,
      );
      const outcomes = (await thumbnailJobs(id, 'completed')).map(
        (job) => (job.returnvalue as { outcome: string }).outcome,
      );
      expect(outcomes.sort()).toEqual(['exists', 'made']);
      expect((await row(id))!.thumbnail_key).toBe(first.thumbnail_key);
      const stored = (await objectsUnder(first.thumbnail_key!)).filter((name) => name.includes('thumbnail-'));
      expect(stored).toEqual([first.thumbnail_key]);
    });
  });

  it('of a document deleted before they run complete as gone and store nothing', async () => {
    const id = await putPdf('Old receipt');
    await withWorker({ thumbnailConcurrency: 0 }, async () => {
      await stack.waitForStatus(id, ['CLASSIFIED']);
      // The classify job asks for the thumbnail just after it has saved CLASSIFIED.
      expect(await eventually(async () => (await thumbnailJobs(id, 'waiting')).length === 1)).toBe(true);
    });
    const { rows } = await stack.admin.query<{ object_key: string }>(
      'delete from documents where id = $1 returning object_key',
      [id],
    );
    await withWorker({}, async () => {
      expect(await eventually(async () => (await thumbnailJobs(id, 'completed')).length === 1, 30_000)).toBe(
        true,
      );
    });
    const [job] = await thumbnailJobs(id, 'completed');
    expect(job!.returnvalue).toEqual({ outcome: 'gone' });
    const stored = (await objectsUnder(rows[0]!.object_key)).filter((name) => name.includes('thumbnail-'));
    expect(stored).toEqual([]);
  });
});
