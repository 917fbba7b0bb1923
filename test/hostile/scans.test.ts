import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startClassificationStack, type ClassificationStack } from '../integration/classification/support.ts';
import {
  spawnWorker,
  waitUntilReady,
  type WorkerProcess,
} from '../integration/classification/worker-process.ts';
import { buildPdf, hugePagePdf, multiPageTiff, scannedJpeg, scannedPdf } from '../support/scans.ts';
import { finishedJob } from '../support/finished-job.ts';
import { corruptJpeg, decompressionBombPng, jpegClaimingSize } from './hostile-images.ts';

// Hostile scans against a worker process as production runs it, with OCR on (Tesseract and
// Poppler from the PATH) and the default limits: each ends FAILED with its reason, quickly,
// on its first attempt; the worker then reads a normal scan; no process or temporary file
// is left behind; and every process the worker starts (extraction processes and the OCR
// commands under them) stays under EXTRACTION_MEMORY_LIMIT_MB.

const EXTRACTION_MEMORY_LIMIT_MB = 512;
const MB = 1024 * 1024;

let stack: ClassificationStack;
let worker: WorkerProcess;
let tempDir: string;
let descendantPeak = 0;
let sampling: NodeJS.Timeout | undefined;

async function descendants(pid: number): Promise<number[]> {
  const list = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const children = list.split(/\s+/).filter(Boolean).map(Number);
  return [...children, ...(await Promise.all(children.map(descendants))).flat()];
}

async function vmHwm(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) * 1024;
}

async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
}

async function classify(file: { title: string; filename: string; mimeType: string; body: Buffer }) {
  const started = Date.now();
  const id = await stack.putDocument(file);
  const status = await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 90_000);
  const ms = Date.now() - started;
  const { rows } = await stack.admin.query('select failure_reason from documents where id = $1', [id]);
  const job = await finishedJob(stack.deps.queue, id);
  return { status, ms, reason: rows[0].failure_reason as string | null, attempts: job?.attemptsMade };
}

/** No OCR command still running and no temporary file of the worker left, once it is idle. */
async function expectNothingLeftBehind(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const running = await Promise.all((await descendants(worker.child.pid!)).map(commandOf));
    const leftovers = await readdir(tempDir);
    if (!running.some((c) => /tesseract|pdftoppm|pdfimages/.test(c)) && leftovers.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(await readdir(tempDir)).toEqual([]);
  expect((await Promise.all((await descendants(worker.child.pid!)).map(commandOf))).join('\n')).not.toMatch(
    /tesseract|pdftoppm|pdfimages/,
  );
}

beforeAll(async () => {
  stack = await startClassificationStack('hostile-scans');
  tempDir = await mkdtemp(path.join(tmpdir(), 'docuvault-hostile-scans-'));
  worker = await spawnWorker(
    stack.workerEnv({ OCR: 'auto', WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info', TMPDIR: tempDir }),
  );
  await waitUntilReady(worker);
  sampling = setInterval(() => {
    void descendants(worker.child.pid!).then(async (pids) => {
      for (const pid of pids) descendantPeak = Math.max(descendantPeak, await vmHwm(pid));
    });
  }, 20);
}, 120_000);

afterAll(async () => {
  clearInterval(sampling);
  worker?.kill('SIGTERM');
  await worker?.exited;
  await stack?.close();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

describe('hostile scans against the classification worker', () => {
  it('fails a 50 000 × 50 000 PNG (a decompression bomb of a few hundred KB) from its header', async () => {
    const body = await decompressionBombPng(50_000);
    expect(body.length).toBeLessThan(500_000);
    const result = await classify({ title: 'Bomb', filename: 'bomb.png', mimeType: 'image/png', body });
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(
      /The image is 50000 × 50000 pixels, more than the 50 million .*\(OCR_MAX_PIXELS\)/,
    );
    expect(result.ms).toBeLessThan(30_000);
    await expectNothingLeftBehind();
  });

  it('fails a TIFF of 5 000 pages without reading them', async () => {
    const page = { width: 1, height: 1, pixels: Buffer.from([255]) };
    const body = multiPageTiff(Array.from({ length: 5_000 }, () => page));
    const result = await classify({ title: 'Pages', filename: 'pages.tif', mimeType: 'image/tiff', body });
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(/has more than 2000 pages; documents of more than 2000 pages are not read/);
    expect(result.ms).toBeLessThan(30_000);
    await expectNothingLeftBehind();
  });

  it('fails a PDF whose scanned page is 200 × 200 inches instead of rendering it', async () => {
    const body = hugePagePdf(14_400, 14_400);
    const result = await classify({ title: 'Huge', filename: 'huge.pdf', mimeType: 'application/pdf', body });
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(/Page 1 of the PDF is 200 × 200 inches: too large to render for OCR/);
    expect(result.ms).toBeLessThan(30_000);
    await expectNothingLeftBehind();
  });

  it('fails a JPEG cut short in its image data as damaged', async () => {
    const body = corruptJpeg(await scannedJpeg({ lines: ['Broken photo of a receipt'], noise: 100 }));
    const result = await classify({ title: 'Broken', filename: 'broken.jpg', mimeType: 'image/jpeg', body });
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(
      /^The image is damaged or not a valid image \(.+\), so its text cannot be read\.$/,
    );
    expect(result.ms).toBeLessThan(30_000);
    await expectNothingLeftBehind();
  });

  it('renders a PDF scan whose JPEG claims 50 000 × 50 000 pixels, the decoder refusing it from its header', async () => {
    // The PDF says an A4 page at 300 dpi, so the page qualifies to be read from its JPEG; the
    // JPEG's own header is what the decoder checks against OCR_MAX_PIXELS, and the page is then
    // rendered at the size the PDF gives, as a viewer does.
    const jpeg = jpegClaimingSize(await scannedJpeg({ lines: ['Oversized claim'], noise: 0 }, 100));
    const body = buildPdf([{ jpeg, width: 2480, height: 3508, components: 3 }]);
    const result = await classify({
      title: 'Claim',
      filename: 'claim.pdf',
      mimeType: 'application/pdf',
      body,
    });
    expect(result.status).toBe('CLASSIFIED');
    expect(result.ms).toBeLessThan(30_000);
    await expectNothingLeftBehind();
  });

  it('keeps serving: the same worker reads a normal scan afterwards', async () => {
    const body = await scannedPdf([{ lines: ['Invoice from Gecko Gardens', 'payment due'], noise: 100 }]);
    const result = await classify({
      title: 'Normal',
      filename: 'normal.pdf',
      mimeType: 'application/pdf',
      body,
    });
    expect(result.status).toBe('CLASSIFIED');
    expect(worker.child.exitCode).toBeNull();
    await expectNothingLeftBehind();
  });

  it('keeps every process it starts (OCR commands included) under EXTRACTION_MEMORY_LIMIT_MB', () => {
    process.stdout.write(
      `\nhostile scans: peak RSS of any extraction or OCR process ${Math.round(descendantPeak / MB)} MB\n`,
    );
    expect(descendantPeak).toBeGreaterThan(0);
    expect(descendantPeak).toBeLessThan(EXTRACTION_MEMORY_LIMIT_MB * MB);
    // The tools really were there: otherwise the cases above would have proved nothing.
    expect(execFileSync('tesseract', ['--version']).toString()).toMatch(/tesseract 5/);
  });
});
