import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { emptyFile, unsupportedType } from './upload-errors.ts';

export const DOCX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * How many leading bytes decide the type. file-type needs ~4 KB for most formats, but
 * DOCX is a zip whose `[Content_Types].xml` and `word/` entries must be read, which can
 * sit tens of KB in; 64 KB covers real documents and is all we ever hold in memory.
 */
export const SNIFF_BYTES = 64 * 1024;

export interface SniffedType {
  readonly mimeType: string;
  /** With the dot, e.g. `.pdf`; used for the object key, never taken from the client. */
  readonly extension: string;
}

const MARKDOWN_NAME = /\.(md|markdown)$/i;

/** Plain text has no magic bytes: valid UTF-8 (or UTF-16 with a BOM) without NULs is text. */
export function looksLikeText(sample: Uint8Array): boolean {
  const utf16 =
    sample[0] === 0xff && sample[1] === 0xfe
      ? 'utf-16le'
      : sample[0] === 0xfe && sample[1] === 0xff
        ? 'utf-16be'
        : undefined;
  try {
    // stream: true leaves a character cut at the end of the sample pending instead of failing.
    const text = new TextDecoder(utf16 ?? 'utf-8', { fatal: true }).decode(sample, { stream: true });
    return !text.includes('\u0000');
  } catch {
    return false;
  }
}

/** The real type of a file from its first bytes; undefined for binary data file-type does not know. */
export async function detectType(sample: Uint8Array, filename: string): Promise<SniffedType | undefined> {
  const found = await fileTypeFromBuffer(sample);
  if (found) return { mimeType: found.mime, extension: `.${found.ext}` };
  if (!looksLikeText(sample)) return undefined;
  return MARKDOWN_NAME.test(filename)
    ? { mimeType: 'text/markdown', extension: '.md' }
    : { mimeType: 'text/plain', extension: '.txt' };
}

export interface SniffedUpload {
  readonly type: SniffedType;
  /** Every byte of the source, the sniffed head included, to be piped on. */
  readonly body: Readable;
}

/**
 * Reads the head of `source`, decides its type and refuses empty files and types outside
 * `allowed` before a single byte is stored. The head is then replayed in front of the
 * rest, so the caller streams the whole file in one pass.
 */
export async function sniffUpload(
  source: Readable,
  filename: string,
  allowed: ReadonlySet<string>,
): Promise<SniffedUpload> {
  const iterator: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const sample = Buffer.concat(head, length);
  if (length === 0) throw emptyFile();
  const type = await detectType(sample.subarray(0, SNIFF_BYTES), filename);
  if (!type || !allowed.has(type.mimeType)) {
    await iterator.return?.();
    throw unsupportedType(type?.mimeType, [...allowed]);
  }
  return { type, body: Readable.from(replay(sample, ended ? undefined : iterator), { objectMode: false }) };
}

async function* replay(head: Buffer, rest: AsyncIterator<Buffer> | undefined): AsyncGenerator<Buffer> {
  yield head;
  if (!rest) return;
  let finished = false;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
    finished = true;
  } finally {
    // Stopped early (a later stage failed): destroy the source so it stops reading.
    if (!finished) await rest.return?.();
  }
}
