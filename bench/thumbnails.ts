import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createOrm } from '@docuvault/shared/db/orm';
import { createLogger } from '@docuvault/shared/logging/logger';
import { findExecutable } from '@docuvault/shared/system/find-executable';
import pg from 'pg';
import { pdftoppmArgs } from '../subgraphs/documents/src/thumbnails/render.ts';
import {
  makeThumbnail,
  type ThumbnailDeps,
} from '../subgraphs/documents/src/thumbnails/thumbnails.service.ts';
import { buildPdf, wrap } from '../devkit/fixtures/pdf.ts';
import { migratedTestDatabase } from '../devkit/scratch/database.ts';
import { createTestBucket } from '../devkit/scratch/s3.ts';
import { times, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// Thumbnails per second of one worker slot: the worker's whole thumbnail step
// (makeThumbnail: read the row, download the PDF from S3, pdftoppm under its memory cap and
// deadline, upload the PNG, record thumbnail_key) one document after another, against the
// engine alone in the same run: `pdftoppm` with the same arguments on the same PDF, already
// on disk. The ratio is our overhead over the engine.
//
//   node bench/thumbnails.ts            (npx node … outside npm scripts)
//   BENCH_THUMBNAILS=200 node bench/thumbnails.ts

const COUNT = Number(process.env.BENCH_THUMBNAILS ?? 100);
const WARMUP = 5;
const run = promisify(execFile);

/** One US-letter page: a paragraph of text over a scanned-looking image. */
const PAGE_TEXT = wrap(
  'Statement of account. '.repeat(3) +
    'The quarterly maintenance of the shared garden, the water meter readings and the invoice ' +
    'for the new fence are listed below; please settle the balance within thirty days. '.repeat(6),
);
const pdf = buildPdf([{ lines: PAGE_TEXT, image: true }]);

async function putDocuments(admin: pg.Pool, bucket: Awaited<ReturnType<typeof createTestBucket>>, n: number) {
  const documents: { id: string; mimeType: string; objectKey: string }[] = [];
  for (let i = 0; i < n; i++) {
    const objectKey = `_anonymous/bench-${i}/${i}.pdf`;
    await bucket.client.putObject(bucket.bucket, objectKey, pdf, pdf.length);
    const { rows } = await admin.query<{ id: string }>(
      `insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, status)
       values ($1, $1, 'application/pdf', $2, md5($1) || md5($1 || 'x'), $3, 'CLASSIFIED') returning id`,
      [`page ${i}`, pdf.length, objectKey],
    );
    documents.push({ id: rows[0]!.id, mimeType: 'application/pdf', objectKey });
  }
  return documents;
}

/** Seconds one call of `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function measure(context: Context): Promise<ScenarioResult> {
  const searchPath = process.env.PATH ?? '';
  const pdftoppm = findExecutable('pdftoppm', searchPath);
  if (!pdftoppm) throw new Error('pdftoppm (poppler-utils) is not on the PATH');
  const database = await migratedTestDatabase('bench-thumbnails');
  const bucket = await createTestBucket('bench-thumbnails');
  const admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
  const orm = await createOrm({ url: database.appUrl, poolMax: 2 });
  const deps: ThumbnailDeps = {
    store: bucket,
    logger: createLogger('bench', 'warn'),
    settings: { memoryLimitMb: 256, timeoutMs: 30_000, searchPath },
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-thumbnails-'));
  try {
    const input = path.join(dir, 'page.pdf');
    await writeFile(input, pdf);
    const engineRun = () => run(pdftoppm, pdftoppmArgs(input, path.join(dir, 'out')));
    const documents = await putDocuments(admin, bucket, WARMUP + COUNT);
    const thumbnail = async (document: (typeof documents)[number]) => {
      const result = await makeThumbnail(deps, orm.em.fork(), document.id, new AbortController().signal);
      if (result.outcome !== 'made')
        throw new Error(`thumbnail of ${document.id}: ${JSON.stringify(result)}`);
    };
    for (const document of documents.slice(0, WARMUP)) {
      await thumbnail(document);
      await engineRun();
    }
    context.say(`rendering ${COUNT} PDF thumbnails, each followed by pdftoppm alone on the same PDF…`);
    // Interleaved, one of each in turn: a shared machine's load changes within seconds, and
    // the two sums then see the same load.
    let ours = 0;
    let engine = 0;
    for (const document of documents.slice(WARMUP)) {
      ours += await timed(() => thumbnail(document));
      engine += await timed(engineRun);
    }
    const perSecond = COUNT / ours;
    return {
      rows: [
        {
          scenario: 'thumbnails: one worker slot, one-page PDFs',
          measured: `${perSecond.toFixed(1)} thumbnails/s (${Math.round((ours / COUNT) * 1000)} ms each)`,
          reference: `pdftoppm alone: ${(COUNT / engine).toFixed(1)}/s (${Math.round((engine / COUNT) * 1000)} ms each)`,
          ratio: `${times(ours / engine)} time`,
          target: '—',
        },
      ],
      notes: [
        `thumbnails: ${COUNT} one-page PDFs (${pdf.length} bytes: text over an image; after ${WARMUP} to warm up), ` +
          `one after another through the worker's thumbnail step (makeThumbnail: row read, S3 download, ` +
          `pdftoppm under a 256 MB data cap and a 30 s deadline, PNG upload, thumbnail_key update), against ` +
          `\`pdftoppm ${pdftoppmArgs('in.pdf', 'out').join(' ')}\` on the same file, already on disk, after each thumbnail (interleaved: both see the same load). ` +
          `Image thumbnails (sharp in a capped child per image) are not in this row.`,
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await orm.close();
    await admin.end();
    await bucket.cleanup();
    await database.drop();
  }
}

export const thumbnails: Scenario = { name: 'thumbnails', run: measure };

await runIfMain(thumbnails, import.meta.url);
