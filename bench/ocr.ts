import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderPdf, scannedPdf, type TextPage } from '../devkit/fixtures/scans.ts';
import { waitUntilReady } from '../devkit/worker-process.ts';
import type { ScenarioResult } from './support/report.ts';
import { startWorkerSystem } from './support/worker-system.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// OCR of scanned A4 pages (300 dpi, a PDF without a text layer) by ONE worker process with
// WORKER_CONCURRENCY=1: pages per second, from enqueueing to CLASSIFIED, against running
// `tesseract` directly, in the same run, on the same page rendered (pdftoppm at 300 dpi, grey
// TIFF), one thread each. The ratio is the pipeline's own cost per page (download, taking the
// page's JPEG out and decoding it, or rendering the page, the extraction process, saving) over
// the engine's: target ≤ 1.25×.
//
//   node bench/ocr.ts            BENCH_OCR_PAGES=8 (pages, each read by both sides)

const run = promisify(execFile);
const PAGES = Number(process.env.BENCH_OCR_PAGES ?? 8);
const TOOLS_PATH = process.env.PATH ?? '/usr/bin:/bin';

/** A dense business letter: about 40 lines, as much text as a typical scanned page. */
function letterPage(i: number): TextPage {
  const lines = Array.from({ length: 36 }, (_, k) =>
    k % 6 === 0
      ? `Invoice ${1000 + i * 40 + k} for maintenance of the boiler, period ${k + 1}`
      : `Item ${k}: ${['labour', 'parts', 'travel', 'disposal', 'inspection'][k % 5]} charged at ${(k * 13.7).toFixed(2)} EUR net`,
  );
  return { lines, skewDegrees: 0.6, noise: 400, seed: i + 1 };
}

async function tesseractDirect(pdf: Buffer): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-bench-ocr-'));
  try {
    // The format the worker hands Tesseract, a grey TIFF, of the page as a viewer shows it.
    const [tiff] = await renderPdf(pdf, 'tiff', 300);
    const file = path.join(dir, 'page.tif');
    await writeFile(file, tiff!);
    const env = { PATH: TOOLS_PATH, OMP_THREAD_LIMIT: '1' };
    const started = performance.now();
    await run('tesseract', [file, 'stdout', '-l', 'eng', 'tsv'], { env, maxBuffer: 16 << 20 });
    return performance.now() - started;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(context: Context): Promise<ScenarioResult> {
  const system = await startWorkerSystem('bench-ocr', {
    WORKER_CONCURRENCY: '1',
    // No thumbnail jobs: one would render the scan just classified while the bench runs the
    // reference, slowing the reference and flattering the ratio.
    THUMBNAIL_CONCURRENCY: '0',
    OCR: 'auto',
    OCR_LANGUAGES: 'eng',
  });
  const { admin, bucket, worker, enqueue } = system;
  const waitClassified = (ids: string[]) => system.waitClassified(ids, 600_000);
  try {
    context.say(`making ${PAGES + 1} scanned A4 pages at 300 dpi…`);
    const scans = await Promise.all(
      Array.from({ length: PAGES + 1 }, (_, i) => scannedPdf([letterPage(i)], 300)),
    );
    // Two documents per scan (the same bytes): each side reads every page twice.
    const ids: string[] = [];
    const twins: string[] = [];
    for (const [i, body] of scans.entries()) {
      for (const [copy, list] of [ids, twins].entries()) {
        const key = `_anonymous/bench-ocr/${i}-${copy}.pdf`;
        await bucket.client.putObject(bucket.bucket, key, body, body.length);
        const { rows } = await admin.query<{ id: string }>(
          `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key)
           values ($1, $2, 'application/pdf', $3, encode(sha256($4::bytea || $6::bytea), 'hex'), $5) returning id`,
          [`Scan ${i}`, `${i}.pdf`, body.length, body, key, Buffer.from([copy])],
        );
        list.push(rows[0]!.id);
      }
    }
    await waitUntilReady(worker);
    // The first scan warms the extraction process and Tesseract's data in the page cache.
    await enqueue(ids.slice(0, 1));
    await waitClassified(ids.slice(0, 1));
    // Page by page, the engine alone then the worker, so both sides of each pair meet the
    // same load on a shared machine; the ratio is of the sums, the median pair is noted.
    context.say(`${PAGES} pages: tesseract directly, then the worker, in turn…`);
    let directMs = 0;
    let workerMs = 0;
    const ratios: number[] = [];
    const ourRun = async (id: string) => {
      const started = performance.now();
      await enqueue([id]);
      await waitClassified([id]);
      return performance.now() - started;
    };
    for (let i = 1; i <= PAGES; i++) {
      // Each side twice, its faster time kept: on a shared machine a single run catches
      // whatever else runs at that moment (a lone reference run was up to 1.7× its repeat).
      const direct = Math.min(await tesseractDirect(scans[i]!), await tesseractDirect(scans[i]!));
      const ours = Math.min(await ourRun(ids[i]!), await ourRun(twins[i]!));
      directMs += direct;
      workerMs += ours;
      ratios.push(ours / direct);
    }
    const medianRatio = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    const { rows } = await admin.query<{ ocr: number }>(
      `select count(*) filter (where text_source = 'OCR' and ocr_pages = 1)::int as ocr
       from documents where id = any($1::uuid[])`,
      [[...ids.slice(1), ...twins.slice(1)]],
    );
    if (rows[0]!.ocr !== 2 * PAGES)
      throw new Error(`only ${rows[0]!.ocr} of ${2 * PAGES} scans were read by OCR`);
    const perSecond = PAGES / (workerMs / 1000);
    const ratio = workerMs / directMs;
    return {
      rows: [
        {
          scenario: 'OCR: scanned A4 pages at 300 dpi, one worker, WORKER_CONCURRENCY=1',
          measured: `${perSecond.toFixed(2)} pages/s (${(workerMs / PAGES / 1000).toFixed(2)} s/page)`,
          reference: `\`tesseract\` directly on the rendered page: ${(directMs / PAGES / 1000).toFixed(2)} s/page`,
          ratio: `${ratio.toFixed(2)}× time per page`,
          target: '≤ 1.25× time',
          met: ratio <= 1.25,
        },
      ],
      notes: [
        `OCR: ${PAGES} one-page scanned PDFs (after 1 to warm up), each an A4 page of ~36 lines rendered at ` +
          `300 dpi by pdftoppm, skewed 0.6° with specks, wrapped as JPEG without a text layer; the worker downloads, ` +
          `takes the page's JPEG out (pdfimages -list, then -j) and decodes it to a grey TIFF (sharp) instead of rendering the page, ` +
          `runs tesseract on that file (-l eng --dpi 300, one thread) in its extraction process, classifies ` +
          `and saves. Reference: tesseract -l eng (tsv, one thread) on the same page rendered by pdftoppm at 300 dpi (grey TIFF: the page as a viewer shows it, what the worker reads when it cannot take the JPEG out), run by ` +
          `the bench, alternating page by page with the worker, each side twice per page keeping its faster time; ` +
          `taking out and decoding (or rendering) are not in the reference, so they count as our overhead. Ratio of the sums; median of the ${PAGES} per-page ratios ${medianRatio.toFixed(2)}×. ` +
          `Load average at the time: ${loadavg()
            .map((l) => l.toFixed(1))
            .join(', ')} on ${cpus().length} cores.`,
      ],
    };
  } finally {
    await system.close();
  }
}

export const ocr: Scenario = { name: 'ocr', run: measure };

await runIfMain(ocr, import.meta.url);
