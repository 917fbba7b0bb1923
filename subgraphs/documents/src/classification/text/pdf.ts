import { getDocumentProxy } from 'unpdf';
import { corruptPdf, encryptedPdf, tooManyPages } from './extraction.errors.ts';
import type { TextSink } from './text-sink.ts';

/** A page without a text layer: a scan, to be OCRed. Its size in points (1/72 inch). */
export interface PageWithoutText {
  number: number;
  widthPt: number;
  heightPt: number;
  /** The page's /Rotate: how far a viewer turns it clockwise (0, 90, 180, 270). */
  rotate: number;
}

export interface PdfText {
  pages: number;
  /** Pages that had a text layer; 0 means a scan (or a PDF of drawings). */
  pagesWithText: number;
  /** Pages read before the text limit was reached that had no text layer, in order. */
  withoutText: PageWithoutText[];
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/** pdf.js names its error classes; these two mean the bytes will never be readable. */
function unreadable(error: unknown): Error | undefined {
  const name = (error as { name?: string } | null)?.name;
  const message = (error as { message?: string } | null)?.message ?? String(error);
  if (name === 'PasswordException') return encryptedPdf(error);
  if (name === 'InvalidPDFException' || name === 'FormatError')
    return corruptPdf(message.replace(/\.$/, ''), error);
  return undefined;
}

async function openPdf(bytes: Uint8Array) {
  try {
    return await getDocumentProxy(bytes, {
      // Text only: no font loading, no console noise from damaged files.
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    });
  } catch (error) {
    throw unreadable(error) ?? error;
  }
}

/** Longest stretch of parsing between two turns of the event loop. */
const SLICE_MS = 25;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Page by page into `sink`, stopping when it is full; a PDF of more than `maxPages` pages
 * is refused before its first page is read. pdf.js needs random access to the file (the
 * cross-reference table is at its end), so the caller hands over the whole object.
 * pdf.js's awaits resolve as microtasks, which never let timers or messages in: the
 * explicit turns below let the extraction process hear that its worker went away.
 */
export async function extractPdfText(
  bytes: Uint8Array,
  sink: TextSink,
  signal: AbortSignal,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<PdfText> {
  const pdf = await openPdf(bytes);
  if (pdf.numPages > maxPages) {
    await pdf.loadingTask.destroy();
    throw tooManyPages(pdf.numPages, maxPages);
  }
  let pagesWithText = 0;
  const withoutText: PageWithoutText[] = [];
  let sliceStart = performance.now();
  try {
    for (let number = 1; number <= pdf.numPages && !sink.isFull; number++) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
      signal.throwIfAborted();
      const page = await pdf
        .getPage(number)
        .catch((error: unknown) => Promise.reject(unreadable(error) ?? error));
      const content = await page.getTextContent();
      const text = (content.items as TextItemLike[])
        .map((item) => (item.str ?? '') + (item.hasEOL ? '\n' : ''))
        .join('');
      // view is the crop box in points; userUnit scales it (PDF 1.6), so a page cannot hide its size.
      const [x0, y0, x1, y1] = page.view as [number, number, number, number];
      const unit = (page as { userUnit?: number }).userUnit ?? 1;
      page.cleanup();
      if (text.trim().length === 0) {
        const [widthPt, heightPt] = [Math.abs(x1 - x0) * unit, Math.abs(y1 - y0) * unit];
        withoutText.push({ number, widthPt, heightPt, rotate: page.rotate });
        continue;
      }
      pagesWithText++;
      sink.append(`${text}\n\n`);
    }
    return { pages: pdf.numPages, pagesWithText, withoutText };
  } finally {
    await pdf.loadingTask.destroy();
  }
}
