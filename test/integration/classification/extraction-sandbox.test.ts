import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ExtractionSandbox } from '@docuvault/documents/classification/text/extraction-sandbox';
import { buildPdf, textPdf } from '../../fixtures/pdf.ts';
import { createTestBucket, type TestBucket } from '../../support/s3.ts';

// The extraction processes themselves: kept warm between documents, and a process that
// dies under a document it did not start with does not condemn that document.

let bucket: TestBucket;
let sandbox: ExtractionSandbox;
const never = new AbortController().signal;

const settings = {
  memoryLimitMb: 512,
  timeoutMs: 60_000,
  ocr: { mode: 'off' as const, languages: 'eng', maxPages: 10, pageTimeoutMs: 30_000, maxPixels: 50_000_000 },
  searchPath: '/usr/bin:/bin',
  limits: {
    textLimitBytes: 1024 * 1024,
    maxPages: 100_000,
    zip: { maxUnzippedBytes: 128 * 1024 * 1024, maxRatio: 100 },
  },
};

/** Long enough to be caught in the middle: a few seconds of pdf.js. */
const slowPdf = buildPdf(
  Array.from({ length: 3_000 }, (_, page) => ({ lines: [`page ${page} of a long one`] })),
);

async function put(key: string, body: Buffer): Promise<string> {
  await bucket.client.putObject(bucket.bucket, key, body, body.length);
  return key;
}

/** This process's extraction processes (children running extraction-child.ts). */
async function extractionProcesses(): Promise<number[]> {
  const children = await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
  const pids = children.split(/\s+/).filter(Boolean).map(Number);
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('extraction-child.ts')) found.push(pid);
  }
  return found;
}

/** Kills the extraction process working on a document once it has started on it. */
async function killWhenBusy(pid?: number): Promise<void> {
  // Another test's processes may still be dying: wait for one that is not among them.
  const before = pid === undefined ? await extractionProcesses() : [];
  for (let i = 0; i < 200; i++) {
    const busy = pid ?? (await extractionProcesses()).find((candidate) => !before.includes(candidate));
    if (busy) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(busy, 'SIGKILL');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no extraction process appeared');
}

beforeAll(async () => {
  bucket = await createTestBucket('extraction-sandbox');
  await put('small.pdf', textPdf('Invoice 9: payment due.'));
  await put('slow.pdf', slowPdf);
});

afterEach(() => sandbox?.close());

afterAll(async () => {
  await bucket?.cleanup();
});

describe('extraction processes', () => {
  it('serve consecutive documents from one warm process', async () => {
    sandbox = new ExtractionSandbox(settings);
    for (let i = 0; i < 3; i++) {
      const extraction = await sandbox.extract(bucket, 'small.pdf', 'application/pdf', never);
      expect(extraction).toMatchObject({
        text: 'Invoice 9: payment due.',
        source: { kind: 'TEXT' },
        truncated: false,
      });
      expect(extraction.peakRssBytes).toBeGreaterThan(0);
    }
    expect(await extractionProcesses()).toHaveLength(1);
  });

  it('refuse a missing object before starting any process', async () => {
    sandbox = new ExtractionSandbox(settings);
    await expect(sandbox.extract(bucket, 'nothing-here', 'application/pdf', never)).rejects.toMatchObject({
      code: 'MISSING_OBJECT',
    });
    expect(await extractionProcesses()).toHaveLength(0);
  });

  it('judge a document again in a fresh process when a warm one dies under it', async () => {
    sandbox = new ExtractionSandbox(settings);
    await sandbox.extract(bucket, 'small.pdf', 'application/pdf', never);
    const [warm] = await extractionProcesses();
    expect(warm).toBeDefined();
    const extraction = sandbox.extract(bucket, 'slow.pdf', 'application/pdf', never);
    await killWhenBusy(warm);
    await expect(extraction).resolves.toMatchObject({ source: { kind: 'TEXT' }, truncated: false });
    expect(await extractionProcesses()).not.toContain(warm);
  }, 60_000);

  it('fail a document whose own fresh process dies under it, saying so', async () => {
    sandbox = new ExtractionSandbox(settings);
    const running = killWhenBusy();
    const extraction = sandbox.extract(bucket, 'slow.pdf', 'application/pdf', never);
    await running;
    await expect(extraction).rejects.toMatchObject({
      code: 'EXTRACTION_CRASHED',
      message: expect.stringMatching(/stopped abnormally \(signal SIGKILL\)/),
    });
  }, 60_000);

  it('kill the process of a cancelled document and reject with the reason', async () => {
    sandbox = new ExtractionSandbox(settings);
    const controller = new AbortController();
    const extraction = sandbox.extract(bucket, 'slow.pdf', 'application/pdf', controller.signal);
    setTimeout(() => controller.abort(new Error('document deleted')), 500);
    await expect(extraction).rejects.toThrow('document deleted');
    expect(await extractionProcesses()).toHaveLength(0);
  });
});
