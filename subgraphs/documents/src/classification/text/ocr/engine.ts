import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '@docuvault/shared/system/find-executable';
import { rotate, toTiff, type GreyPage } from './pixels.ts';

const run = promisify(execFile);

/** What the worker's config says about OCR; sent to each extraction process. */
export interface OcrSettings {
  mode: 'auto' | 'off';
  /** Tesseract's -l, e.g. `eng+deu`. */
  languages: string;
  /** Pages OCRed per document; the rest are skipped and counted. */
  maxPages: number;
  pageTimeoutMs: number;
  /** Epoch ms when the document's extraction is stopped (EXTRACTION_TIMEOUT_SECONDS); set per document. */
  deadline?: number;
  /** Largest page, in pixels, that is decoded or rendered (a PDF page is rendered at a lower resolution to fit). */
  maxPixels: number;
}

/**
 * Below this mean word confidence the upright reading is doubted and the page's
 * orientation is asked for (Tesseract's OSD). Upright scans read at 75–95, an upside-down
 * page at ~35 (measured on the test scans); asking only then keeps OSD's cost (about one more
 * recognition) off ordinary pages.
 */
export const DOUBTFUL_CONFIDENCE = 60;
/** OSD's own confidence below which its answer is not acted on. */
const MIN_ORIENTATION_CONFIDENCE = 1;

/** A command of a page ran past OCR_PAGE_TIMEOUT_SECONDS; `step` says which (as the page's note puts it). */
export class OcrPageTimeout extends Error {
  step = 'OCR';

  withStep(step: string): this {
    this.step = step;
    return this;
  }
}

/**
 * The commands, found on the PATH like redis-server; `pdftoppm` may be missing (then PDFs
 * are not OCRed), and `pdfimages` (every page is then rendered).
 */
export interface OcrTools {
  tesseract: string;
  pdftoppm: string | undefined;
  pdfimages: string | undefined;
}

export function findOcrTools(searchPath: string): OcrTools | undefined {
  const tesseract = findExecutable('tesseract', searchPath);
  if (!tesseract) return undefined;
  return {
    tesseract,
    pdftoppm: findExecutable('pdftoppm', searchPath),
    pdfimages: findExecutable('pdfimages', searchPath),
  };
}

interface Reading {
  text: string;
  words: number;
  confidence: number;
}

/** A command of the OCR path under the page timeout; its process inherits the extraction process's memory caps. */
export async function runTool(
  command: string,
  args: string[],
  settings: OcrSettings,
  signal: AbortSignal,
): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      signal,
      timeout: settings.pageTimeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
      // One thread per command: the worker's concurrency is what spreads work over cores.
      env: { PATH: process.env.PATH ?? '', OMP_THREAD_LIMIT: '1' },
    });
    return stdout;
  } catch (error) {
    const failed = error as { killed?: boolean; signal?: string; stderr?: string };
    if (failed.killed && failed.signal === 'SIGKILL' && !signal.aborted) throw new OcrPageTimeout();
    const detail = (failed.stderr ?? '').trim().split('\n').slice(-2).join(' ');
    throw new Error(`${path.basename(command)} failed${detail ? `: ${detail}` : ''}`, { cause: error });
  }
}

/**
 * Text and mean word confidence from one recognition (TSV has both, in one run). `dpi`:
 * the page's resolution when its file does not carry it (Tesseract would guess it from
 * the size of the letters).
 */
async function recognise(
  tools: OcrTools,
  file: string,
  settings: OcrSettings,
  signal: AbortSignal,
  dpi?: number,
): Promise<Reading> {
  const resolution = dpi ? ['--dpi', String(dpi)] : [];
  const tsv = await runTool(
    tools.tesseract,
    [file, 'stdout', '-l', settings.languages, ...resolution, 'tsv'],
    settings,
    signal,
  );
  const lines: string[] = [];
  let words = 0;
  let total = 0;
  let lineKey = '';
  for (const row of tsv.split('\n').slice(1)) {
    const cells = row.split('\t');
    if (cells.length < 12 || cells[0] !== '5') continue; // level 5: a word
    const word = cells[11]!.trim();
    const confidence = Number(cells[10]);
    if (!word || confidence < 0) continue;
    const key = `${cells[2]}.${cells[3]}.${cells[4]}`; // block, paragraph, line
    if (key === lineKey) lines[lines.length - 1] += ` ${word}`;
    else lines.push(word);
    lineKey = key;
    words++;
    total += confidence;
  }
  return { text: lines.join('\n'), words, confidence: words ? total / words : 0 };
}

/** How far (clockwise) OSD says the page should be turned, when it is sure enough. */
async function orientation(
  tools: OcrTools,
  file: string,
  settings: OcrSettings,
  signal: AbortSignal,
): Promise<number> {
  const out = await runTool(tools.tesseract, [file, 'stdout', '--psm', '0'], settings, signal).catch(
    // Too few characters to tell: leave the page as it is.
    (error: unknown) => (error instanceof OcrPageTimeout ? Promise.reject(error) : ''),
  );
  const degrees = Number(/Rotate: (\d+)/.exec(out)?.[1] ?? 0);
  const confidence = Number(/Orientation confidence: ([\d.]+)/.exec(out)?.[1] ?? 0);
  return confidence >= MIN_ORIENTATION_CONFIDENCE ? degrees : 0;
}

/**
 * A page ready for Tesseract: a grey TIFF on disk, read by Tesseract as it is (no copy), and
 * its pixels on demand, needed only when the page has to be turned.
 */
export interface ScanPage {
  file: string;
  pixels(): Promise<GreyPage>;
  /** Its resolution, for a file that does not say (pdftoppm's TIFF does). */
  dpi?: number;
}

/**
 * The text of one grey page: read upright; when the reading is doubtful, OSD is asked how
 * the page is turned, and a turned page is read again the right way up (the better of the
 * two readings is kept). `dir` is the caller's private temporary folder.
 */
export async function readPage(
  tools: OcrTools,
  page: ScanPage,
  dir: string,
  settings: OcrSettings,
  signal: AbortSignal,
): Promise<{ text: string; rotated: number }> {
  const upright = await recognise(tools, page.file, settings, signal, page.dpi);
  if (upright.words === 0 || upright.confidence >= DOUBTFUL_CONFIDENCE)
    return { text: upright.text, rotated: 0 };
  const degrees = await orientation(tools, page.file, settings, signal);
  if (degrees === 0) return { text: upright.text, rotated: 0 };
  const file = path.join(dir, 'turned.tif');
  try {
    await writeFile(file, toTiff(rotate(await page.pixels(), degrees)));
    const turned = await recognise(tools, file, settings, signal, page.dpi);
    return turned.confidence > upright.confidence
      ? { text: turned.text, rotated: degrees }
      : { text: upright.text, rotated: 0 };
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * One recognition of the page as it is: its text when the reading is sure (or finds no
 * words at all), undefined when it is doubtful. For a page taken from a PDF without
 * rendering it, whose reading is trusted only when it is sure (scan-pages.ts).
 */
export async function readIfSure(
  tools: OcrTools,
  page: ScanPage,
  settings: OcrSettings,
  signal: AbortSignal,
): Promise<string | undefined> {
  const reading = await recognise(tools, page.file, settings, signal, page.dpi);
  return reading.words === 0 || reading.confidence >= DOUBTFUL_CONFIDENCE ? reading.text : undefined;
}
