import { createReadStream } from 'node:fs';
import { extractFromStream, type Extraction, type ExtractionLimits } from './extract.ts';
import { UnreadableDocumentError } from './extraction.errors.ts';
import { findOcrTools, type OcrSettings } from './ocr/engine.ts';

// An extraction process: answers requests over IPC, one at a time, each naming a file the
// worker downloaded. It runs under the caps extraction-process.ts sets (kernel data
// limit, heap limit) and the worker's deadline, so whatever a file makes the parsers do,
// only this process can die of it.

export interface ExtractionRequest {
  id: number;
  /** A private temporary copy of the stored object. */
  path: string;
  mimeType: string;
  limits: ExtractionLimits;
  ocr: OcrSettings;
  searchPath: string;
}

export type ExtractionAnswer = { id: number; maxRssKb: number } & (
  { ok: true; extraction: Extraction } | { ok: false; code?: string; memory?: boolean; message: string }
);

const ALLOCATION_FAILED = /allocation failed|out of memory|Invalid array length|Invalid string length/i;

function failure(error: unknown): { ok: false; code?: string; memory?: boolean; message: string } {
  if (error instanceof UnreadableDocumentError)
    return { ok: false, code: error.code, message: error.message };
  const message = error instanceof Error ? error.message || error.name : String(error);
  // A refused allocation (the kernel's data limit) surfaces as a RangeError; string and
  // array length limits are the same overrun met from another side.
  if (error instanceof RangeError && ALLOCATION_FAILED.test(message))
    return { ok: false, memory: true, message };
  return { ok: false, message };
}

async function run(request: ExtractionRequest): Promise<ExtractionAnswer> {
  const body = createReadStream(request.path);
  try {
    const extraction = await extractFromStream(body, request.mimeType, {
      limits: request.limits,
      ocr: request.ocr,
      tools: request.ocr.mode === 'off' ? undefined : findOcrTools(request.searchPath),
      file: request.path,
      // The worker stops a request by killing this process.
      signal: new AbortController().signal,
    });
    return { id: request.id, ok: true, extraction, maxRssKb: process.resourceUsage().maxRSS };
  } catch (error) {
    return { id: request.id, ...failure(error), maxRssKb: process.resourceUsage().maxRSS };
  } finally {
    body.destroy();
  }
}

const send = process.send?.bind(process);
if (!send) throw new Error('extraction-child.ts runs only as a child of the worker (IPC channel missing)');

// The worker went away (killed, crashed): nobody wants the answers.
process.on('disconnect', () => process.exit(1));
let queue = Promise.resolve();
process.on('message', (request: ExtractionRequest) => {
  queue = queue.then(async () => {
    const answer = await run(request);
    await new Promise<void>((resolve) => send(answer, undefined, {}, () => resolve()));
  });
});
