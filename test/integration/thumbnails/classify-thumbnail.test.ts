import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWorkerRuntime, type WorkerRuntime } from '@docuvault/documents/worker/runtime';
import { JOB_NAMES } from '@docuvault/shared/queue/jobs';
import { pino } from 'pino';
import { textPdf } from '../../fixtures/pdf.ts';
import { eventually } from '../../support/eventually.ts';
import { startClassificationStack, type ClassificationStack } from '../classification/support.ts';

// The thumbnail step inside the classification job, with a real worker, database and
// bucket: a thumbnail that cannot be made changes nothing about the classification, and
// a rerun of the job keeps the thumbnail it has.

let stack: ClassificationStack;
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

async function withWorker<T>(searchPath: string, work: (worker: WorkerRuntime) => Promise<T>): Promise<T> {
  const worker = await startWorkerRuntime(stack.workerConfig(), { healthPort: 0, logger, searchPath });
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
  ).rows[0]!;

beforeAll(async () => {
  stack = await startClassificationStack('thumbnail-step');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('the thumbnail step of a classification job', () => {
  it('leaves a document CLASSIFIED without a thumbnail when it cannot be made, saying why in the log', async () => {
    // A worker whose PATH has no pdftoppm: the PDF's text layer is read all the same.
    await withWorker('/nonexistent', async () => {
      const id = await stack.putDocument({
        title: 'Water bill',
        filename: 'bill.pdf',
        mimeType: 'application/pdf',
        body: textPdf('Water bill for the third quarter.'),
      });
      await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED']);
      expect(
        await eventually(() => log.some((line) => line.includes(id) && line.includes('no thumbnail'))),
      ).toBe(true);
      const line = JSON.parse(log.find((l) => l.includes(id) && l.includes('no thumbnail'))!) as {
        reason: string;
      };
      expect(line.reason).toMatch(/pdftoppm .*not on the PATH/);
      expect(await row(id)).toMatchObject({ status: 'CLASSIFIED', thumbnail_key: null });
    });
  });

  it('makes it once: a rerun of the job keeps the thumbnail it has and stores no second one', async () => {
    await withWorker(process.env.PATH ?? '', async () => {
      const id = await stack.putDocument({
        title: 'Lease',
        filename: 'lease.pdf',
        mimeType: 'application/pdf',
        body: textPdf('Lease agreement for the flat on the second floor.'),
      });
      await stack.waitForStatus(id, ['CLASSIFIED']);
      expect(await eventually(async () => (await row(id)).thumbnail_key !== null)).toBe(true);
      const first = await row(id);
      const prefix = first.thumbnail_key!.slice(0, first.thumbnail_key!.lastIndexOf('/') + 1);

      // The job again, as a retry or a reclassification runs it (another job id: the first is kept).
      const rerun = await stack.deps.queue.add(
        JOB_NAMES.classifyDocument,
        { documentId: id, requestId: 'rerun' },
        { jobId: `${id}-rerun` },
      );
      let result: unknown;
      expect(
        await eventually(async () => {
          result = (await stack.deps.queue.getJob(rerun.id!))?.returnvalue;
          return result !== undefined && result !== null;
        }, 30_000),
      ).toBe(true);
      expect(result).toMatchObject({ outcome: 'classified', thumbnail: 'exists' });
      expect((await row(id)).thumbnail_key).toBe(first.thumbnail_key);
      const objects: string[] = [];
      for await (const item of stack.bucket.client.listObjectsV2(stack.bucket.bucket, prefix, true))
        objects.push((item as { name: string }).name);
      expect(objects.filter((name) => name.includes('thumbnail-'))).toEqual([first.thumbnail_key]);
    });
  });
});
