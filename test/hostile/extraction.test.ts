import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCX_MIME_TYPE } from '@docuvault/documents/classification/text/extract';
import { textPdf } from '../fixtures/pdf.ts';
import {
  createTopic,
  startClassificationStack,
  type ClassificationStack,
} from '../integration/classification/support.ts';
import {
  spawnWorker,
  waitUntilReady,
  type WorkerProcess,
} from '../integration/classification/worker-process.ts';
import { manyPagesPdf, paragraphBombDocx, ratioBombDocx } from './hostile-files.ts';
import { finishedJob } from '../support/finished-job.ts';

// Hostile files against a worker process as production runs it, with its default limits
// (issue 15): each bomb ends FAILED with its reason, quickly, on its first attempt; the
// worker keeps serving; and memory stays under the documented caps (README, "Limits"):
// the worker process itself under WORKER_PROCESS_CAP_MB, each extraction process under
// EXTRACTION_MEMORY_LIMIT_MB. Memory is sampled from /proc while the bombs are read.

const EXTRACTION_MEMORY_LIMIT_MB = 512;
const WORKER_PROCESS_CAP_MB = 300;
const MB = 1024 * 1024;

let stack: ClassificationStack;
let worker: WorkerProcess;
const peaks = { worker: 0, extraction: 0 };
let sampling: NodeJS.Timeout | undefined;

async function vmHwm(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) * 1024;
}

async function childrenOf(pid: number): Promise<number[]> {
  const list = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return list.split(/\s+/).filter(Boolean).map(Number);
}

/** Peak resident memory of the worker and of each extraction process it starts. */
function sampleMemory(pid: number): void {
  const sample = async () => {
    peaks.worker = Math.max(peaks.worker, await vmHwm(pid));
    for (const child of await childrenOf(pid))
      peaks.extraction = Math.max(peaks.extraction, await vmHwm(child));
  };
  sampling = setInterval(() => void sample(), 20);
}

/** Puts a file in place and answers how long it took to reach a final status, and which. */
async function classifyTimed(file: { title: string; filename: string; mimeType: string; body: Buffer }) {
  const started = Date.now();
  const id = await stack.putDocument(file);
  const status = await stack.waitForStatus(id, ['CLASSIFIED', 'FAILED'], 60_000);
  const ms = Date.now() - started;
  const { rows } = await stack.admin.query('select failure_reason from documents where id = $1', [id]);
  const job = await finishedJob(stack.deps.queue, id);
  return { id, status, ms, reason: rows[0].failure_reason as string | null, attempts: job?.attemptsMade };
}

beforeAll(async () => {
  stack = await startClassificationStack('hostile-extraction');
  await createTopic(stack, { name: 'Finance', matchMode: 'ANY', pattern: 'invoice payment' });
  worker = await spawnWorker(stack.workerEnv({ WORKER_CONCURRENCY: '2', LOG_LEVEL: 'info' }));
  await waitUntilReady(worker);
  sampleMemory(worker.child.pid!);
});

afterAll(async () => {
  clearInterval(sampling);
  worker?.kill('SIGTERM');
  await worker?.exited;
  await stack?.close();
});

describe('hostile files against the classification worker', () => {
  const results: Record<string, { status: string; ms: number; reason: string | null }> = {};

  it('fails a DOCX whose entry is compressed ~1000 to 1 before inflating it', async () => {
    const body = await ratioBombDocx(100);
    expect(body.length).toBeLessThan(200_000);
    const result = await classifyTimed({
      title: 'Ratio',
      filename: 'ratio.docx',
      mimeType: DOCX_MIME_TYPE,
      body,
    });
    results['DOCX ratio bomb'] = result;
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(
      /word\/document\.xml is compressed more than 100 to 1 \(EXTRACTION_MAX_ZIP_RATIO\)/,
    );
    expect(result.ms).toBeLessThan(30_000);
  });

  it("fails the issue's DOCX of ~6 million short paragraphs (under 2 MB on disk)", async () => {
    const body = await paragraphBombDocx(6_000_000);
    expect(body.length).toBeLessThan(2 * MB);
    const result = await classifyTimed({
      title: 'Paragraphs',
      filename: 'paragraphs.docx',
      mimeType: DOCX_MIME_TYPE,
      body,
    });
    results['DOCX of 6 million paragraphs'] = result;
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(/unpacks to more than 128 MB \(EXTRACTION_MAX_UNZIPPED_BYTES\)/);
    expect(result.ms).toBeLessThan(30_000);
  });

  it('fails a PDF of 200 000 pages without turning them', async () => {
    const body = manyPagesPdf(200_000);
    const result = await classifyTimed({
      title: 'Pages',
      filename: 'pages.pdf',
      mimeType: 'application/pdf',
      body,
    });
    results['PDF of 200 000 pages'] = result;
    expect(result).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(result.reason).toMatch(/has 200000 pages; documents of more than 2000 pages are not read/);
    expect(result.ms).toBeLessThan(30_000);
  });

  it('keeps serving: the same worker process classifies a normal document afterwards', async () => {
    const result = await classifyTimed({
      title: 'Normal',
      filename: 'normal.pdf',
      mimeType: 'application/pdf',
      body: textPdf('Invoice 2041: payment is due within 30 days.'),
    });
    expect(result.status).toBe('CLASSIFIED');
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/FATAL ERROR|heap out of memory/);
  });

  it('stays under the documented memory caps throughout', async () => {
    // The worker's own reports of its extraction processes' peaks, besides our samples.
    const reported = [...worker.output().matchAll(/"peakRssMb":(\d+)/g)].map((m) => Number(m[1]) * MB);
    expect(reported.length).toBeGreaterThanOrEqual(3);
    const extractionPeak = Math.max(peaks.extraction, ...reported);
    process.stdout.write(
      `\nhostile extraction (default limits):\n${Object.entries(results)
        .map(([name, r]) => `  ${name}: ${r.status} after ${r.ms} ms (${r.reason})`)
        .join('\n')}\n  worker process peak RSS: ${Math.round(peaks.worker / MB)} MB;` +
        ` extraction process peak RSS: ${Math.round(extractionPeak / MB)} MB\n`,
    );
    expect(peaks.worker).toBeGreaterThan(0);
    expect(peaks.worker).toBeLessThan(WORKER_PROCESS_CAP_MB * MB);
    expect(peaks.extraction).toBeGreaterThan(0);
    expect(extractionPeak).toBeLessThan(EXTRACTION_MEMORY_LIMIT_MB * MB);
  });
});
