import type { Readable } from 'node:stream';
import { extractDocxText, type ZipLimits } from './docx.ts';
import type { OcrEngine } from './ocr.ts';
import { extractPdfText } from './pdf.ts';
import { extractPlainText } from './plain-text.ts';
import { TextSink } from './text-sink.ts';

export const DOCX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** How the text was obtained. NONE: the file has no text layer and no OCR ran, so only the title is known. */
export type ExtractionMethod = 'TEXT' | 'OCR' | 'NONE';

export interface Extraction {
  text: string;
  method: ExtractionMethod;
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
  ocr: OcrEngine | undefined;
  signal: AbortSignal;
}

export const isExtractable = (mimeType: string): boolean =>
  mimeType === 'application/pdf' ||
  mimeType === DOCX_MIME_TYPE ||
  mimeType.startsWith('text/') ||
  mimeType.startsWith('image/');

async function readAll(body: Readable, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) {
    signal.throwIfAborted();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function fromPdf(
  body: Readable,
  sink: TextSink,
  options: ExtractionOptions,
): Promise<ExtractionMethod> {
  const bytes = await readAll(body, options.signal);
  // pdf.js may transfer (detach) the buffer it is given; OCR needs the bytes afterwards.
  const { pagesWithText } = await extractPdfText(
    new Uint8Array(bytes),
    sink,
    options.signal,
    options.limits.maxPages,
  );
  if (pagesWithText > 0) return 'TEXT';
  const ocrText = await options.ocr?.pdf(bytes, options.signal);
  if (!ocrText?.trim()) return 'NONE';
  sink.append(ocrText);
  return 'OCR';
}

async function fromImage(
  body: Readable,
  sink: TextSink,
  options: ExtractionOptions,
): Promise<ExtractionMethod> {
  if (!options.ocr) {
    body.destroy();
    return 'NONE';
  }
  const text = await options.ocr.image(await readAll(body, options.signal), options.signal);
  if (!text.trim()) return 'NONE';
  sink.append(text);
  return 'OCR';
}

/**
 * The text of a file's bytes, by its sniffed type, capped at `limits.textLimitBytes`.
 * Runs inside the extraction process (extraction-child.ts), which bounds its memory and
 * time. Plain text is streamed and only its head is read; PDF and DOCX keep their index at
 * the end of the file, so those are read whole (uploads are bounded by MAX_UPLOAD_BYTES).
 */
export async function extractFromStream(
  body: Readable,
  mimeType: string,
  options: ExtractionOptions,
): Promise<Extraction> {
  const sink = new TextSink(options.limits.textLimitBytes);
  let method: ExtractionMethod = 'TEXT';
  if (mimeType === 'application/pdf') method = await fromPdf(body, sink, options);
  else if (mimeType === DOCX_MIME_TYPE)
    await extractDocxText(await readAll(body, options.signal), sink, options.limits.zip);
  else if (mimeType.startsWith('image/')) method = await fromImage(body, sink, options);
  else await extractPlainText(body, sink);
  return { text: sink.text(), method, truncated: sink.isFull };
}
