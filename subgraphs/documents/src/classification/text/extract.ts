import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { extractDocxText, type ZipLimits } from './docx.ts';
import { ocrUnavailable } from './extraction.errors.ts';
import type { OcrSettings, OcrTools } from './ocr/engine.ts';
import { ocrImage, ocrPdfPages, type ScanContext } from './ocr/scan-pages.ts';
import { PageTally, type TextSource } from './ocr/text-source.ts';
import { extractPdfText } from './pdf.ts';
import { extractPlainText } from './plain-text.ts';
import { TextSink } from './text-sink.ts';

/** Images read by OCR (what uploads accept; Tesseract's decoder reads more, we do not offer it). */
export const OCR_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/webp',
]);

export const DOCX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface Extraction {
  text: string;
  /** How the text was obtained (own text, OCR, both, none), with the page counts. */
  source: TextSource;
  /** The file held more text than the limit; the rest was not read. */
  truncated: boolean;
}

/** What one extraction may produce and parse; memory and time are the sandbox's to bound. */
export interface ExtractionLimits {
  /** The cap on stored text, in UTF-8 bytes: extractors stop reading once it is reached. */
  textLimitBytes: number;
  maxPages: number;
  zip: ZipLimits;
}

export interface ExtractionOptions {
  limits: ExtractionLimits;
  ocr: OcrSettings;
  /** The OCR commands found on the PATH; undefined: Tesseract is not installed. */
  tools: OcrTools | undefined;
  /** The private temporary copy being read; OCR works in its folder. */
  file: string;
  signal: AbortSignal;
}

export const isExtractable = (mimeType: string): boolean =>
  mimeType === 'application/pdf' ||
  mimeType === DOCX_MIME_TYPE ||
  mimeType.startsWith('text/') ||
  OCR_IMAGE_TYPES.has(mimeType);

async function readAll(body: Readable, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) {
    signal.throwIfAborted();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Why scanned pages cannot be OCRed here, or undefined when they can. */
function whyNoOcr(options: ExtractionOptions, pdf: boolean): string | undefined {
  if (options.ocr.mode === 'off') return 'OCR is turned off on this worker (OCR=off)';
  if (!options.tools) return 'Tesseract (tesseract-ocr) is not installed on the worker';
  if (pdf && !options.tools.pdftoppm)
    return "Poppler's pdftoppm (poppler-utils) is not installed on the worker";
  return undefined;
}

function scanContext(options: ExtractionOptions, sink: TextSink): ScanContext {
  return {
    tools: options.tools!,
    settings: options.ocr,
    sink,
    dir: dirname(options.file),
    signal: options.signal,
  };
}

/**
 * Page by page: pages with a text layer keep it (read first, in order), pages without one
 * are OCRed after them. A scan that cannot be OCRed here fails with the reason (so it is
 * not silently empty), unless OCR is off on purpose; a mixed PDF keeps its own text and
 * counts the pages left unread.
 */
async function fromPdf(body: Readable, sink: TextSink, options: ExtractionOptions): Promise<TextSource> {
  const bytes = await readAll(body, options.signal);
  const tally = new PageTally();
  const pdf = await extractPdfText(new Uint8Array(bytes), sink, options.signal, options.limits.maxPages);
  tally.textLayer = pdf.pagesWithText;
  const scanned = pdf.withoutText;
  if (scanned.length === 0) return tally.source(pdf.pagesWithText > 0);
  const missing = whyNoOcr(options, true);
  if (missing) {
    if (pdf.pagesWithText === 0 && options.ocr.mode !== 'off') throw ocrUnavailable(missing);
    tally.skip(scanned.length, missing);
    return tally.source(pdf.pagesWithText > 0);
  }
  await ocrPdfPages(scanContext(options, sink), options.file, scanned, tally);
  return tally.source(pdf.pagesWithText > 0);
}

async function fromImage(
  body: Readable,
  mimeType: string,
  sink: TextSink,
  options: ExtractionOptions,
): Promise<TextSource> {
  const tally = new PageTally();
  const missing = whyNoOcr(options, false);
  if (missing) {
    body.destroy();
    if (options.ocr.mode !== 'off') throw ocrUnavailable(missing);
    tally.skip(1, missing);
    return tally.source(false);
  }
  const bytes = await readAll(body, options.signal);
  await ocrImage(scanContext(options, sink), bytes, mimeType, options.limits.maxPages, tally);
  return tally.source(false);
}

const OWN_TEXT: TextSource = { kind: 'TEXT', textLayerPages: 0, ocrPages: 0, skippedPages: 0, note: null };

/**
 * The text of a file's bytes, by its sniffed type, capped at `limits.textLimitBytes`.
 * Runs inside the extraction process (extraction-child.ts), which bounds its memory and
 * time (the OCR commands it starts inherit its caps). Plain text is streamed and only its head is read; PDF and DOCX keep their index at
 * the end of the file, so those are read whole (uploads are bounded by MAX_UPLOAD_BYTES).
 */
export async function extractFromStream(
  body: Readable,
  mimeType: string,
  options: ExtractionOptions,
): Promise<Extraction> {
  const sink = new TextSink(options.limits.textLimitBytes);
  let source = OWN_TEXT;
  if (mimeType === 'application/pdf') source = await fromPdf(body, sink, options);
  else if (mimeType === DOCX_MIME_TYPE)
    await extractDocxText(await readAll(body, options.signal), sink, options.limits.zip);
  else if (OCR_IMAGE_TYPES.has(mimeType)) source = await fromImage(body, mimeType, sink, options);
  else await extractPlainText(body, sink);
  const text = sink.text();
  // A DOCX or text file of only blanks has no text either.
  if (source === OWN_TEXT && !text) source = { ...OWN_TEXT, kind: 'NONE' };
  return { text, source, truncated: sink.isFull };
}
