import { extractFromStream, type Extraction, type ExtractionLimits } from './extract.ts';
import { UnreadableDocumentError } from './extraction.errors.ts';
import { detectOcr } from './ocr.ts';

// The extraction process: reads one file's bytes from stdin, extracts its text and answers
// over IPC, then exits. It runs under the caps extraction-sandbox.ts sets (kernel data
// limit, heap limit, wall time), so whatever a file makes the parsers do, only this process
// can die of it. One file per process: nothing of one document survives into the next.

export interface ExtractionRequest {
  mimeType: string;
  limits: ExtractionLimits;
  ocr: 'auto' | 'off';
  searchPath: string;
  timeoutMs: number;
}

export type ExtractionAnswer =
  | { ok: true; extraction: Extraction; maxRssKb: number }
  | { ok: false; code?: string; memory?: boolean; message: string; maxRssKb: number };

const ALLOCATION_FAILED = /allocation failed|out of memory|Invalid array length|Invalid string length/i;

function answerFor(error: unknown): ExtractionAnswer {
  const maxRssKb = process.resourceUsage().maxRSS;
  if (error instanceof UnreadableDocumentError)
    return { ok: false, code: error.code, message: error.message, maxRssKb };
  const message = error instanceof Error ? error.message || error.name : String(error);
  // A refused allocation (the kernel's data limit) surfaces as a RangeError; string and
  // array length limits are the same overrun met from another side.
  if (error instanceof RangeError && ALLOCATION_FAILED.test(message))
    return { ok: false, memory: true, message, maxRssKb };
  return { ok: false, message, maxRssKb };
}

async function run(request: ExtractionRequest): Promise<ExtractionAnswer> {
  const controller = new AbortController();
  try {
    const extraction = await extractFromStream(process.stdin, request.mimeType, {
      limits: request.limits,
      ocr: detectOcr(request.ocr, request.searchPath),
      signal: controller.signal,
    });
    return { ok: true, extraction, maxRssKb: process.resourceUsage().maxRSS };
  } catch (error) {
    return answerFor(error);
  }
}

const send = process.send?.bind(process);
if (!send) throw new Error('extraction-child.ts runs only as a child of the worker (IPC channel missing)');

// The worker went away (killed, crashed): nobody wants the answer.
process.on('disconnect', () => process.exit(1));
process.once('message', (request: ExtractionRequest) => {
  // The worker kills this process at its deadline; this is for a worker that died first.
  setTimeout(() => process.exit(1), request.timeoutMs + 5_000).unref();
  void run(request).then((answer) => {
    process.stdin.destroy();
    send(answer, undefined, {}, () => process.exit(0));
  });
});
