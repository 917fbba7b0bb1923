import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { corruptImage, imageTooLarge, pageTooLarge, tooManyPages } from '../extraction.errors.ts';
import { readImageHeader } from '../image-header.ts';
import type { PageWithoutText } from '../pdf.ts';
import type { TextSink } from '../text-sink.ts';
import { embeddedScan, listImages, type ListedImage } from './embedded-image.ts';
import {
  OcrPageTimeout,
  readIfSure,
  readPage,
  runTool,
  type OcrSettings,
  type OcrTools,
  type ScanPage,
} from './engine.ts';
import { toTiff, type GreyPage } from './pixels.ts';
import type { PageTally } from './text-source.ts';

// Scanned pages to text, one at a time: a PDF page without a text layer that is one JPEG
// scan is read from that JPEG (embedded-image.ts), any other is rendered by pdftoppm
// straight to the grey TIFF Tesseract reads (engine.ts); an image page is decoded by
// sharp (libvips) to grey pixels and written as one. Sizes are checked before anything is decoded or rendered; every
// command runs under the page timeout and inherits the extraction process's memory caps.

/** Scans are rendered at this resolution (Tesseract reads best at ~300 dpi). */
export const RENDER_DPI = 300;
/** A page that fits OCR_MAX_PIXELS only below this resolution is refused: its text would be unreadable. */
const MIN_DPI = 70;

/**
 * Whether another page can still be read before the document's deadline, judged by the
 * slowest page so far (with half again as margin): past it the extraction process would be
 * killed and the document fail, so the remaining pages are skipped and counted instead.
 */
function timeLeftForAPage(context: ScanContext, slowestMs: number): boolean {
  const { deadline } = context.settings;
  return deadline === undefined || Date.now() + slowestMs * 1.5 + 1_000 < deadline;
}

const OUT_OF_TIME = 'the document reached its time limit (EXTRACTION_TIMEOUT_SECONDS) before them';

export interface ScanContext {
  tools: OcrTools;
  settings: OcrSettings;
  sink: TextSink;
  /** A private temporary folder (removed by the sandbox afterwards). */
  dir: string;
  signal: AbortSignal;
}

// libvips: one thread and no cache per extraction process, so memory follows the one page at hand.
sharp.concurrency(1);
sharp.cache(false);

interface PageReading {
  text: string;
  /** Degrees the page was turned to be read. */
  rotated: number;
}

/** A page's file read (turned first when it reads doubtfully), then removed. */
async function readScan(context: ScanContext, page: ScanPage): Promise<PageReading> {
  try {
    return await readPage(context.tools, page, context.dir, context.settings, context.signal);
  } finally {
    await rm(page.file, { force: true });
  }
}

/** Reads one page, counting it; a page over its timeout is skipped and noted, not fatal. */
async function readCounted(
  context: ScanContext,
  read: () => Promise<PageReading>,
  label: string,
  tally: PageTally,
) {
  try {
    const { text, rotated } = await read();
    tally.ocr++;
    if (rotated) tally.rotated.push(`${label} (${rotated}°)`);
    if (text.trim()) {
      tally.ocrText = true;
      context.sink.append(`${text}\n\n`);
    }
  } catch (error) {
    if (!(error instanceof OcrPageTimeout)) throw error;
    tally.skip(
      1,
      `${label} took longer than ${context.settings.pageTimeoutMs / 1000} s to ${error.step} (OCR_PAGE_TIMEOUT_SECONDS)`,
      true,
    );
  }
}

/** The highest resolution up to RENDER_DPI at which a page of this size stays within the pixel cap. */
export function renderDpi(widthPt: number, heightPt: number, maxPixels: number): number {
  const squareInches = (widthPt / 72) * (heightPt / 72);
  return Math.min(RENDER_DPI, Math.floor(Math.sqrt(maxPixels / Math.max(squareInches, 1e-6))));
}

/**
 * One PDF page rendered by pdftoppm as a grey TIFF, which Tesseract reads as it is; its
 * pixels are decoded (sharp, within the same pixel cap) only for a page to be turned.
 */
async function renderPdfPage(
  context: ScanContext,
  pdfFile: string,
  page: PageWithoutText,
): Promise<ScanPage> {
  const dpi = renderDpi(page.widthPt, page.heightPt, context.settings.maxPixels);
  if (dpi < MIN_DPI) throw pageTooLarge(page.number, page.widthPt / 72, page.heightPt / 72);
  const base = path.join(context.dir, 'render');
  const number = String(page.number);
  const args = ['-r', String(dpi), '-gray', '-tiff', '-f', number, '-l', number, '-singlefile'];
  try {
    await runTool(context.tools.pdftoppm!, [...args, pdfFile, base], context.settings, context.signal);
  } catch (error) {
    await rm(`${base}.tif`, { force: true });
    throw error instanceof OcrPageTimeout ? error.withStep('render') : error;
  }
  const file = `${base}.tif`;
  return { file, pixels: () => decodeGrey(file, 0, context.settings.maxPixels) };
}

/** PDF pages without a text layer, in order, up to OCR_MAX_PAGES; the text goes to the sink. */
export async function ocrPdfPages(
  context: ScanContext,
  pdfFile: string,
  pages: readonly PageWithoutText[],
  tally: PageTally,
): Promise<void> {
  let images: ListedImage[] | undefined;
  let slowestMs = 0;
  for (const [index, page] of pages.entries()) {
    if (context.sink.isFull) return;
    if (!timeLeftForAPage(context, slowestMs)) {
      tally.skip(pages.length - index, OUT_OF_TIME);
      return;
    }
    const started = Date.now();
    if (tally.ocr + tally.timedOut >= context.settings.maxPages) {
      tally.skip(
        pages.length - index,
        `pages past the first ${context.settings.maxPages} scanned ones were not OCRed (OCR_MAX_PAGES)`,
      );
      return;
    }
    images ??= await imagesOn(context, pdfFile, pages);
    const scan = embeddedScan(images, page, context.settings.maxPixels);
    await readCounted(context, () => readPdfPage(context, pdfFile, page, scan), `page ${page.number}`, tally);
    slowestMs = Math.max(slowestMs, Date.now() - started);
  }
}

/**
 * The images on the pages to be OCRed (`pdfimages -list`, one run); none when pdfimages is
 * missing or fails on the file, which leaves every page to be rendered.
 */
async function imagesOn(
  context: ScanContext,
  pdfFile: string,
  pages: readonly PageWithoutText[],
): Promise<ListedImage[]> {
  const read = pages.slice(0, context.settings.maxPages);
  if (!context.tools.pdfimages || read.length === 0) return [];
  const [first, last] = [read[0]!.number, read.at(-1)!.number];
  return listImages(context.tools, pdfFile, first, last, context.settings, context.signal).catch(() => []);
}

/**
 * One PDF page's text. A page that is one JPEG scan is read from that image, decoded but not
 * rendered, and that reading is kept when Tesseract is sure of it; a doubtful one (the
 * image may be drawn turned or mirrored, or the page be a poor scan) and every other page
 * are rendered as a viewer shows them and read, turned upright when needed.
 */
async function readPdfPage(
  context: ScanContext,
  pdfFile: string,
  page: PageWithoutText,
  scan: { dpi: number } | undefined,
): Promise<PageReading> {
  const embedded = scan && (await extractScan(context, pdfFile, page.number, scan.dpi));
  if (embedded) {
    try {
      const text = await readIfSure(context.tools, embedded, context.settings, context.signal);
      if (text !== undefined) return { text, rotated: 0 };
    } finally {
      await rm(embedded.file, { force: true });
    }
  }
  return readScan(context, await renderPdfPage(context, pdfFile, page));
}

/**
 * The page's one JPEG taken out of the PDF as stored (`pdfimages -j`) and decoded to the grey
 * TIFF Tesseract reads, at the resolution it has on the page; undefined when pdfimages or
 * the decoder will not (the page is then rendered, which may cope with what they refused).
 */
async function extractScan(
  context: ScanContext,
  pdfFile: string,
  pageNumber: number,
  dpi: number,
): Promise<ScanPage | undefined> {
  const base = path.join(context.dir, 'embedded');
  const jpeg = `${base}-000.jpg`;
  const file = `${base}.tif`;
  const number = String(pageNumber);
  const { settings, signal } = context;
  try {
    await runTool(
      context.tools.pdfimages!,
      ['-j', '-f', number, '-l', number, pdfFile, base],
      settings,
      signal,
    );
    // A viewer ignores a JPEG's EXIF orientation inside a PDF: so does this.
    await writeFile(file, toTiff(await decodeGrey(jpeg, 0, settings.maxPixels, false)));
    return { file, dpi, pixels: () => decodeGrey(file, 0, settings.maxPixels) };
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof OcrPageTimeout) throw error.withStep('take out its image');
    return undefined;
  } finally {
    await rm(jpeg, { force: true });
  }
}

/**
 * One page of an image (bytes or a file) as grey pixels, turned as its EXIF orientation says
 * unless `exif` is false; damage is CORRUPT_IMAGE.
 */
async function decodeGrey(
  input: Buffer | string,
  page: number,
  maxPixels: number,
  exif = true,
): Promise<GreyPage> {
  try {
    const image = sharp(input, { page, limitInputPixels: maxPixels, failOn: 'warning' });
    const { data, info } = await (exif ? image.rotate() : image)
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, pixels: data };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw corruptImage(message.split('\n')[0]!.trim(), error);
  }
}

/** One page of an image, decoded and written as the grey TIFF Tesseract reads. */
async function imagePage(context: ScanContext, bytes: Buffer, index: number): Promise<ScanPage> {
  const grey = await decodeGrey(bytes, index, context.settings.maxPixels);
  const file = path.join(context.dir, 'image.tif');
  await writeFile(file, toTiff(grey));
  return { file, pixels: () => Promise.resolve(grey) };
}

/**
 * Every page of an image (TIFFs may have many) to the sink. The header is read first: too
 * many pages (EXTRACTION_MAX_PAGES) or a page over OCR_MAX_PIXELS refuses the file before
 * a pixel is decoded, which is what stops a decompression bomb.
 */
export async function ocrImage(
  context: ScanContext,
  bytes: Buffer,
  mimeType: string,
  maxDocumentPages: number,
  tally: PageTally,
): Promise<void> {
  const { pages } = readImageHeader(bytes, mimeType, maxDocumentPages);
  if (pages.length > maxDocumentPages) throw tooManyPages(pages.length, maxDocumentPages, true);
  const { maxPixels, maxPages } = context.settings;
  for (const [index, { width, height }] of pages.entries()) {
    const label = pages.length > 1 ? `Page ${index + 1}` : 'The image';
    if (width === 0 || height === 0) throw corruptImage(`${label.toLowerCase()} declares no size`);
    if (width * height > maxPixels) throw imageTooLarge(label, width, height, maxPixels);
  }
  let slowestMs = 0;
  for (let index = 0; index < pages.length && !context.sink.isFull; index++) {
    if (index >= maxPages) {
      tally.skip(pages.length - index, `pages past the first ${maxPages} were not OCRed (OCR_MAX_PAGES)`);
      return;
    }
    if (index > 0 && !timeLeftForAPage(context, slowestMs)) {
      tally.skip(pages.length - index, OUT_OF_TIME);
      return;
    }
    const started = Date.now();
    const label = pages.length > 1 ? `page ${index + 1}` : 'the image';
    const page = await imagePage(context, bytes, index);
    await readCounted(context, () => readScan(context, page), label, tally);
    slowestMs = Math.max(slowestMs, Date.now() - started);
  }
}
