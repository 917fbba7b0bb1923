import type { TextSourceKind } from '@docuvault/shared/db/entities/documents';

/** How a document's text was obtained, as stored with it and shown as Document.textSource. */
export interface TextSource {
  kind: TextSourceKind;
  /** PDF pages whose own text layer was kept. */
  textLayerPages: number;
  /** Pages (PDF or image) read by OCR. */
  ocrPages: number;
  /** Pages that needed OCR and did not get it (page cap, page timeout, no engine, OCR off). */
  skippedPages: number;
  /** Why pages were skipped or why there is no text, in a sentence or two; null when all went well. */
  note: string | null;
}

/** Counts pages as an extraction goes, and says afterwards what it amounts to. */
export class PageTally {
  textLayer = 0;
  ocr = 0;
  skipped = 0;
  timedOut = 0;
  /** OCR found text on some page. */
  ocrText = false;
  /** Labels of pages OCR read after turning them (OSD). */
  readonly rotated: string[] = [];
  private readonly reasons: string[] = [];

  skip(pages: number, why: string, timedOut = false): void {
    this.skipped += pages;
    if (timedOut) this.timedOut += pages;
    this.reasons.push(why);
  }

  /** `ownText`: the file had text of its own (a text layer, DOCX, plain text). */
  source(ownText: boolean): TextSource {
    const { ocrText } = this;
    const kind: TextSourceKind = ownText && ocrText ? 'MIXED' : ownText ? 'TEXT' : ocrText ? 'OCR' : 'NONE';
    const notes: string[] = [];
    if (this.skipped > 0)
      notes.push(
        `${this.skipped} page${this.skipped === 1 ? ' was' : 's were'} not OCRed: ${this.reasons.join('; ')}.`,
      );
    if (this.ocr > 0 && !ocrText)
      notes.push(`OCR read ${this.ocr === 1 ? '1 page' : `${this.ocr} pages`} and found no text.`);
    if (this.rotated.length > 0) notes.push(`Turned upright before reading: ${this.rotated.join(', ')}.`);
    return {
      kind,
      textLayerPages: this.textLayer,
      ocrPages: this.ocr,
      skippedPages: this.skipped,
      note: notes.length ? notes.join(' ') : null,
    };
  }
}
