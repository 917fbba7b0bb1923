import { execFile } from 'node:child_process';
import { findExecutable } from '@docuvault/shared/system/find-executable';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Scans are OCR'd up to this many pages: enough to classify, bounded in time. */
export const OCR_MAX_PAGES = 10;
const COMMAND_TIMEOUT_MS = 60_000;

/** Text from images of pages, through the `tesseract` command (no model is downloaded). */
export interface OcrEngine {
  readonly name: string;
  /** Renders the first pages of a PDF (pdftoppm) and reads them; undefined when it cannot render. */
  pdf(bytes: Uint8Array, signal: AbortSignal): Promise<string | undefined>;
  image(bytes: Uint8Array, signal: AbortSignal): Promise<string>;
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-ocr-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tesseract(command: string, file: string, signal: AbortSignal): Promise<string> {
  const { stdout } = await run(command, [file, 'stdout'], {
    signal,
    timeout: COMMAND_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * The OCR engine when `mode` allows it and `tesseract` is on `searchPath`; undefined
 * otherwise, and scans are then classified from their title alone. PDFs also need
 * `pdftoppm` (poppler-utils) to render pages.
 */
export function detectOcr(mode: 'auto' | 'off', searchPath: string): OcrEngine | undefined {
  if (mode === 'off') return undefined;
  const tesseractPath = findExecutable('tesseract', searchPath);
  if (!tesseractPath) return undefined;
  const pdftoppm = findExecutable('pdftoppm', searchPath);
  return {
    name: pdftoppm ? 'tesseract+pdftoppm' : 'tesseract',
    image: (bytes, signal) =>
      inTempDir(async (dir) => {
        const file = path.join(dir, 'image');
        await writeFile(file, bytes);
        return tesseract(tesseractPath, file, signal);
      }),
    pdf: async (bytes, signal) => {
      if (!pdftoppm) return undefined;
      return inTempDir(async (dir) => {
        const input = path.join(dir, 'input.pdf');
        await writeFile(input, bytes);
        const options = { signal, timeout: COMMAND_TIMEOUT_MS };
        await run(
          pdftoppm,
          ['-r', '200', '-gray', '-png', '-l', String(OCR_MAX_PAGES), input, path.join(dir, 'page')],
          options,
        );
        const pages = (await readdir(dir)).filter((name) => name.endsWith('.png')).sort();
        const texts: string[] = [];
        for (const page of pages) texts.push(await tesseract(tesseractPath, path.join(dir, page), signal));
        return texts.join('\n\n');
      });
    },
  };
}
