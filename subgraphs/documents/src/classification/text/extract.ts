import type { Readable } from 'node:stream';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { extractDocxText } from './docx.ts';
import { missingObject, unsupportedType } from './extraction.errors.ts';
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

export interface ExtractionOptions {
  /** The cap on stored text, in UTF-8 bytes. */
  limitBytes: number;
  ocr: OcrEngine | undefined;
  signal: AbortSignal;
}

async function openObject(store: ObjectStore, key: string): Promise<Readable> {
  try {
    return await store.client.getObject(store.bucket, key);
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') throw missingObject(key);
    throw error;
  }
}

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
  const { pagesWithText } = await extractPdfText(new Uint8Array(bytes), sink, options.signal);
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
 * The text of a stored object, by its sniffed type, capped at `limitBytes`. Plain text is
 * streamed and only its head is downloaded; PDF and DOCX keep their index at the end of
 * the file, so those are read whole (uploads are bounded by MAX_UPLOAD_BYTES).
 */
export async function extractText(
  store: ObjectStore,
  objectKey: string,
  mimeType: string,
  options: ExtractionOptions,
): Promise<Extraction> {
  const sink = new TextSink(options.limitBytes);
  const supported =
    mimeType === 'application/pdf' ||
    mimeType === DOCX_MIME_TYPE ||
    mimeType.startsWith('text/') ||
    mimeType.startsWith('image/');
  if (!supported) throw unsupportedType(mimeType);
  const body = await openObject(store, objectKey);
  let method: ExtractionMethod = 'TEXT';
  if (mimeType === 'application/pdf') method = await fromPdf(body, sink, options);
  else if (mimeType === DOCX_MIME_TYPE) await extractDocxText(await readAll(body, options.signal), sink);
  else if (mimeType.startsWith('image/')) method = await fromImage(body, sink, options);
  else await extractPlainText(body, sink);
  return { text: sink.text(), method, truncated: sink.isFull };
}
