import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '@docuvault/shared/system/find-executable';
import { NODE_CODE_MB } from '../classification/text/extraction-process.ts';
import { runCapped, type Caps } from './capped-command.ts';
import {
  THUMBNAIL_FORMATS,
  THUMBNAIL_MAX_HEIGHT,
  THUMBNAIL_WIDTH,
  type ThumbnailSource,
} from './thumbnails.ts';

const IMAGE_CHILD = fileURLToPath(new URL('./image-child.ts', import.meta.url));

export interface RenderSettings {
  /** Data segment limit of one renderer, in MB (Node's own code comes on top for images). */
  memoryLimitMb: number;
  /** Where pdftoppm is looked for; also the renderers' PATH. */
  searchPath: string;
}

export type Rendering = { ok: true; file: string; bytes: number } | { ok: false; reason: string };

/**
 * pdftoppm's first page, scaled to THUMBNAIL_WIDTH wide and cropped to THUMBNAIL_MAX_HEIGHT
 * (`-W`/`-H` crop before rasterising: a page of extreme proportions costs no more than
 * a normal one). `-scale-to-x` rather than `-scale-to`, which scales the long side.
 */
export function pdftoppmArgs(input: string, outputRoot: string): string[] {
  return [
    ...['-f', '1', '-l', '1', '-singlefile', '-png'],
    ...['-scale-to-x', String(THUMBNAIL_WIDTH), '-scale-to-y', '-1'],
    ...['-W', String(THUMBNAIL_WIDTH), '-H', String(THUMBNAIL_MAX_HEIGHT)],
    input,
    outputRoot,
  ];
}

async function sizeOf(file: string): Promise<number | undefined> {
  return stat(file).then(
    (facts) => (facts.size > 0 ? facts.size : undefined),
    () => undefined,
  );
}

/**
 * Renders `input` (a private copy of the stored object) into `dir`. Never throws for the
 * file's sake: a file the renderer refuses, or that outruns its caps, answers why.
 */
export async function renderThumbnail(
  input: string,
  source: ThumbnailSource,
  dir: string,
  settings: RenderSettings,
  signal: AbortSignal,
): Promise<Rendering> {
  const caps: Caps = { memoryLimitMb: settings.memoryLimitMb, signal, searchPath: settings.searchPath };
  const output = path.join(dir, `thumbnail${THUMBNAIL_FORMATS[source].extension}`);
  let ending;
  if (source === 'pdf') {
    const pdftoppm = findExecutable('pdftoppm', settings.searchPath);
    if (!pdftoppm) return { ok: false, reason: 'pdftoppm (poppler-utils) is not on the PATH' };
    ending = await runCapped(pdftoppm, pdftoppmArgs(input, path.join(dir, 'thumbnail')), caps);
  } else {
    const heapMb = Math.max(16, Math.floor(settings.memoryLimitMb / 4));
    ending = await runCapped(
      process.execPath,
      [`--max-old-space-size=${heapMb}`, '--disable-warning=ExperimentalWarning', IMAGE_CHILD, input, output],
      { ...caps, memoryLimitMb: settings.memoryLimitMb + NODE_CODE_MB },
    );
  }
  if (!ending.ok) {
    const limit = ending.outOfMemory ? ` (memory limit ${settings.memoryLimitMb} MB)` : '';
    return { ok: false, reason: `renderer failed${limit}: ${ending.reason}` };
  }
  const bytes = await sizeOf(output);
  if (bytes === undefined) return { ok: false, reason: 'renderer wrote no picture' };
  return { ok: true, file: output, bytes };
}
