import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ExtractionSandbox } from '@docuvault/documents/classification/text/extraction-sandbox';
import { findExecutable } from '@docuvault/shared/system/find-executable';
import { createTestBucket, type TestBucket } from '../../support/s3.ts';
import { buildPdf, jpegSize, scannedJpeg, type PdfPage, type TextPage } from '../../support/scans.ts';

// Which way a scanned PDF page reaches Tesseract (ADR 0013): a page that is one JPEG filling
// it is read from that JPEG, without rendering; any other page is rendered by pdftoppm, as
// is a page whose JPEG reads doubtfully. The worker's PATH here holds the real tesseract and
// pdfimages and a pdftoppm that notes each call before running the real one, so a test sees
// whether the page was rendered.

const A4 = { width: 595, height: 842 };
const never = new AbortController().signal;
let bucket: TestBucket;
let sandbox: ExtractionSandbox;
let tools: string;

const invoice = (word: string): TextPage => ({
  lines: [`Invoice from ${word} Logistics`, 'Total amount due: 1234.56 EUR', 'Payable within thirty days'],
  skewDegrees: 0.8,
  noise: 200,
});

async function toolsFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-ocr-tools-'));
  for (const name of ['tesseract', 'pdfimages']) {
    const found = findExecutable(name, process.env.PATH ?? '');
    if (!found) throw new Error(`${name} is not on the PATH (tesseract-ocr, poppler-utils)`);
    await symlink(found, path.join(dir, name));
  }
  const pdftoppm = findExecutable('pdftoppm', process.env.PATH ?? '');
  if (!pdftoppm) throw new Error('pdftoppm is not on the PATH (poppler-utils)');
  // Shell builtins only: this PATH holds nothing else.
  const script = `#!/bin/sh\necho "$*" >> "\${0%/*}/renders.log"\nexec ${pdftoppm} "$@"\n`;
  await writeFile(path.join(dir, 'pdftoppm'), script);
  await chmod(path.join(dir, 'pdftoppm'), 0o755);
  return dir;
}

const renders = async () =>
  (await readFile(path.join(tools, 'renders.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);

async function extract(name: string, pages: PdfPage[]) {
  const pdf = buildPdf(pages);
  await bucket.client.putObject(bucket.bucket, name, pdf, pdf.length);
  sandbox = new ExtractionSandbox({
    memoryLimitMb: 512,
    timeoutMs: 120_000,
    ocr: { mode: 'auto', languages: 'eng', maxPages: 10, pageTimeoutMs: 60_000, maxPixels: 50_000_000 },
    searchPath: tools,
    limits: {
      textLimitBytes: 1024 * 1024,
      maxPages: 2_000,
      zip: { maxUnzippedBytes: 128 << 20, maxRatio: 100 },
    },
  });
  return sandbox.extract(bucket, name, 'application/pdf', never);
}

/** A scanned page as the JPEG a scanner stores: 150 dpi, as YCbCr (3 components) unless `grey`. */
async function scan(word: string, grey = false) {
  const jpeg = await scannedJpeg(invoice(word));
  const stored = grey ? await sharp(jpeg).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer() : jpeg;
  return { jpeg: stored, ...jpegSize(stored) };
}

beforeAll(async () => {
  bucket = await createTestBucket('ocr-embedded');
  tools = await toolsFolder();
});

beforeEach(() => rm(path.join(tools, 'renders.log'), { force: true }));

afterEach(() => sandbox?.close());

afterAll(async () => {
  await bucket?.cleanup();
  if (tools) await rm(tools, { recursive: true, force: true });
});

describe('a page that is one JPEG scan', () => {
  it.each([
    ['colour (YCbCr)', false],
    ['grey', true],
  ])('is read from its %s JPEG, without rendering the page', async (_, grey) => {
    const page = await scan('Wombatcastle', grey);
    expect(page.components).toBe(grey ? 1 : 3);
    const extraction = await extract(`one-jpeg-${grey}.pdf`, [page]);
    expect(extraction.text).toMatch(/Wombatcastle/);
    expect(extraction.source).toEqual({
      kind: 'OCR',
      textLayerPages: 0,
      ocrPages: 1,
      skippedPages: 0,
      note: null,
    });
    expect(await renders()).toEqual([]);
  });

  it('is rendered when its JPEG, drawn flipped on the page, reads doubtfully as stored', async () => {
    const page = await scan('Ibisbridge');
    // Stored upside down and mirrored, drawn flipped back: upright on the page only.
    const stored = await sharp(page.jpeg).flip().jpeg({ quality: 90 }).toBuffer();
    const extraction = await extract('flipped.pdf', [
      { ...page, jpeg: stored, draws: [[A4.width, 0, 0, -A4.height, 0, A4.height]] },
    ]);
    expect(extraction.text).toMatch(/Ibisbridge/);
    expect(extraction.source).toMatchObject({ kind: 'OCR', ocrPages: 1, skippedPages: 0 });
    expect(await renders()).toHaveLength(1);
  });
});

describe('a page that may show more than its one image', () => {
  it.each([
    [
      'holds the image twice (a second, small copy in a corner)',
      {
        draws: [
          [A4.width, 0, 0, A4.height, 0, 0],
          [60, 0, 0, 85, 20, 20],
        ],
      },
    ],
    [
      'covers only part of the page with it',
      { draws: [[A4.width / 2, 0, 0, A4.height / 2, 0, A4.height / 2]] },
    ],
    ['is turned by its /Rotate', { rotate: 90 as const }],
  ])('is rendered when it %s, and read', async (_, layout) => {
    const page = await scan('Okapiford');
    const extraction = await extract('rendered.pdf', [{ ...page, ...layout }]);
    expect(extraction.text).toMatch(/Okapiford/);
    expect(extraction.source).toMatchObject({ kind: 'OCR', ocrPages: 1, skippedPages: 0 });
    expect(await renders()).toHaveLength(1);
  });
});
