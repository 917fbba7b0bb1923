import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ExtractionSandbox,
  type SandboxSettings,
} from '@docuvault/documents/classification/text/extraction-sandbox';
import { createTestBucket, type TestBucket } from '../../support/s3.ts';
import {
  buildPdf,
  jpegSize,
  renderPdf,
  scannedJpeg,
  scannedPdf,
  scannedPng,
  scannedTiff,
  type TextPage,
} from '../../support/scans.ts';

// OCR in the extraction process, on scans made here (see test/support/scans.ts): real
// Tesseract and Poppler from the PATH, as in CI and the worker image.

let bucket: TestBucket;
let sandbox: ExtractionSandbox;
const never = new AbortController().signal;

const ocr = {
  mode: 'auto' as const,
  languages: 'eng',
  maxPages: 10,
  pageTimeoutMs: 60_000,
  maxPixels: 50_000_000,
};
const settings = (changes: Partial<SandboxSettings> = {}): SandboxSettings => ({
  memoryLimitMb: 512,
  timeoutMs: 120_000,
  ocr,
  searchPath: '/usr/bin:/bin',
  limits: {
    textLimitBytes: 1024 * 1024,
    maxPages: 2_000,
    zip: { maxUnzippedBytes: 128 << 20, maxRatio: 100 },
  },
  ...changes,
});

const invoice = (word: string, extra: Partial<TextPage> = {}): TextPage => ({
  lines: [`Invoice from ${word} Logistics`, 'Total amount due: 1234.56 EUR', 'Payable within thirty days'],
  skewDegrees: 1.2,
  noise: 250,
  ...extra,
});

async function extract(name: string, body: Buffer, mimeType: string, changes?: Partial<SandboxSettings>) {
  await bucket.client.putObject(bucket.bucket, name, body, body.length);
  sandbox = new ExtractionSandbox(settings(changes));
  return sandbox.extract(bucket, name, mimeType, never);
}

beforeAll(async () => {
  bucket = await createTestBucket('ocr');
});

afterEach(() => sandbox?.close());

afterAll(async () => {
  await bucket?.cleanup();
});

describe('OCR of scans', () => {
  it('reads a skewed, noisy scan wrapped in a PDF without a text layer', async () => {
    const pdf = await scannedPdf([invoice('Zebrafinch')]);
    const extraction = await extract('scan.pdf', pdf, 'application/pdf');
    expect(extraction.text).toMatch(/Zebrafinch/);
    expect(extraction.source).toEqual({
      kind: 'OCR',
      textLayerPages: 0,
      ocrPages: 1,
      skippedPages: 0,
      note: null,
    });
  });

  it('keeps the text layer of a mixed PDF and OCRs only its scanned page', async () => {
    const [scan] = await renderPdf(buildPdf([{ text: invoice('Quokkaport') }]), 'jpeg');
    const pdf = buildPdf([
      { text: { lines: ['Typed cover letter about Marmosetville'] } },
      { jpeg: scan!, ...jpegSize(scan!) },
    ]);
    const extraction = await extract('mixed.pdf', pdf, 'application/pdf');
    expect(extraction.text).toMatch(/Marmosetville/);
    expect(extraction.text).toMatch(/Quokkaport/);
    expect(extraction.source).toMatchObject({
      kind: 'MIXED',
      textLayerPages: 1,
      ocrPages: 1,
      skippedPages: 0,
    });
  });

  it.each([90, 180, 270] as const)('turns a page scanned %i° off upright and reads it', async (rotate) => {
    const jpeg = await scannedJpeg(invoice('Pangolinfield', { rotate }), 200);
    const extraction = await extract(`turned-${rotate}.jpg`, jpeg, 'image/jpeg');
    expect(extraction.text).toMatch(/Pangolinfield/);
    expect(extraction.source).toMatchObject({ kind: 'OCR', ocrPages: 1 });
  });

  it('reads every page of a multi-page TIFF', async () => {
    const tiff = await scannedTiff([invoice('Aardvarkton'), invoice('Bumblebeeham')], 100);
    const extraction = await extract('fax.tif', tiff, 'image/tiff');
    expect(extraction.text).toMatch(/Aardvarkton/);
    expect(extraction.text).toMatch(/Bumblebeeham/);
    expect(extraction.source).toMatchObject({ kind: 'OCR', ocrPages: 2, skippedPages: 0 });
  });

  it('classifies an image without text as having none, and says so', async () => {
    const png = await scannedPng({ lines: [], noise: 0 });
    const extraction = await extract('blank.png', png, 'image/png');
    expect(extraction.text).toBe('');
    expect(extraction.source).toEqual({
      kind: 'NONE',
      textLayerPages: 0,
      ocrPages: 1,
      skippedPages: 0,
      note: 'OCR read 1 page and found no text.',
    });
  });

  it('OCRs at most OCR_MAX_PAGES pages and counts the rest as skipped', async () => {
    const pdf = await scannedPdf([invoice('Firstpage'), invoice('Secondpage'), invoice('Thirdpage')], 100);
    const extraction = await extract('long.pdf', pdf, 'application/pdf', { ocr: { ...ocr, maxPages: 1 } });
    expect(extraction.text).toMatch(/Firstpage/);
    expect(extraction.text).not.toMatch(/Secondpage/);
    expect(extraction.source).toMatchObject({ kind: 'OCR', ocrPages: 1, skippedPages: 2 });
    expect(extraction.source.note).toMatch(/2 pages were not OCRed: .*OCR_MAX_PAGES/);
  });
});

describe('OCR without its engine', () => {
  const noTesseract = { searchPath: '/nonexistent' };

  it('fails a scan with a reason that names what is missing, instead of leaving it silently empty', async () => {
    const pdf = await scannedPdf([invoice('Nowhere')], 100);
    await expect(extract('no-engine.pdf', pdf, 'application/pdf', noTesseract)).rejects.toMatchObject({
      code: 'OCR_UNAVAILABLE',
      message: expect.stringMatching(
        /needs OCR, but Tesseract \(tesseract-ocr\) is not installed.*reclassify/,
      ),
    });
  });

  it('keeps the text layer of a mixed PDF and counts the scanned pages as skipped', async () => {
    const [scan] = await renderPdf(buildPdf([{ text: invoice('Skipped') }]), 'jpeg', 100);
    const pdf = buildPdf([{ text: { lines: ['Typed page'] } }, { jpeg: scan!, ...jpegSize(scan!) }]);
    const extraction = await extract('mixed-no-engine.pdf', pdf, 'application/pdf', noTesseract);
    expect(extraction.text).toMatch(/Typed page/);
    expect(extraction.source).toMatchObject({
      kind: 'TEXT',
      textLayerPages: 1,
      ocrPages: 0,
      skippedPages: 1,
    });
    expect(extraction.source.note).toMatch(/not installed/);
  });

  it('classifies a scan by its title when OCR is off on purpose, saying so', async () => {
    const png = await scannedPng(invoice('Offline'), 100);
    const extraction = await extract('off.png', png, 'image/png', { ocr: { ...ocr, mode: 'off' } });
    expect(extraction.source).toMatchObject({ kind: 'NONE', skippedPages: 1 });
    expect(extraction.source.note).toMatch(/OCR=off/);
  });
});
