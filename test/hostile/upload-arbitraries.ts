import fc from 'fast-check';

// Generators of hostile files and filenames for the multipart suite.

// Types the worker cannot read (PNG, JPEG, TIFF and WebP are read since OCR: not here).
const MAGIC: Record<string, number[]> = {
  gif: [...Buffer.from('GIF89a')],
  bmp: [...Buffer.from('BM')],
  ico: [0x00, 0x00, 0x01, 0x00],
  wasm: [0x00, 0x61, 0x73, 0x6d],
  elf: [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00],
  zip: [0x50, 0x4b, 0x03, 0x04],
  exe: [0x4d, 0x5a, 0x90, 0x00],
  gzip: [0x1f, 0x8b, 0x08],
  sqlite: [...Buffer.from('SQLite format 3\u0000')],
};

const DECLARED: [string, string][] = [
  ['application/pdf', 'scan.pdf'],
  ['text/plain', 'notes.txt'],
  ['text/markdown', 'readme.md'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'letter.docx'],
  ['application/octet-stream', 'data'],
];

/**
 * Binary content under a document's name and type: known magic bytes (or none) and a
 * random tail holding a NUL byte, so it can never pass for text. Sometimes empty.
 */
export const binaryFile = fc
  .record({
    magic: fc.constantFrom(...Object.keys(MAGIC), 'none'),
    tail: fc.uint8Array({ maxLength: 2_000 }),
    declared: fc.constantFrom(...DECLARED),
    empty: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
  })
  .map(({ magic, tail, declared: [declared, filename], empty }) => ({
    bytes: empty
      ? Buffer.alloc(0)
      : Buffer.concat([Buffer.from(MAGIC[magic] ?? []), Buffer.from(tail), Buffer.from([0])]),
    declared,
    filename,
  }));

const SEGMENTS = [
  '..',
  '.',
  '...',
  '....',
  'etc',
  'passwd',
  'C:',
  '%2e%2e',
  '%2f..',
  '~',
  'con',
  'nul',
  '$HOME',
  '*',
  '?',
  ' ',
  'ü',
  '..\u2215..',
];

/** The filename busboy hands on (its preservePath is off): the last segment, '' for `.` and `..`. */
export function busboyBasename(filename: string): string {
  const last = filename.split(/[\\/]/).pop() ?? '';
  return last === '.' || last === '..' ? '' : last;
}

/**
 * `../../etc/passwd` and relatives: separators of both kinds, doubled, leading. Names
 * that come to nothing once the path is dropped (`../`, `a/..`) are left out: the
 * documents subgraph answers those with INTERNAL_SERVER_ERROR today (see the report).
 */
export const traversalFilename = fc
  .tuple(
    fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 8 }),
    fc.array(fc.constantFrom('/', '\\', '//', '\\\\', '/./'), { minLength: 8, maxLength: 8 }),
    fc.oneof(fc.stringMatching(/^[a-z]{1,8}(\.txt|\.md)?$/), fc.constant('')),
    fc.boolean(),
  )
  .map(([segments, separators, last, leading]) => {
    const path = segments.map((segment, i) => `${segment}${separators[i]}`).join('');
    return `${leading ? separators[7] : ''}${path}${last}`;
  })
  .filter((filename) => busboyBasename(filename) !== '');

/** Filenames of 256 to 12,000 characters, ASCII or not (a character is a code point). */
export const longFilename = fc.oneof(
  fc.integer({ min: 256, max: 12_000 }).map((n) => `${'n'.repeat(n - 4)}.txt`),
  fc.integer({ min: 256, max: 3_000 }).map((n) => `${[...'ü🙂'.repeat(n)].slice(0, n - 3).join('')}.md`),
  fc
    .string({ unit: 'grapheme', minLength: 300, maxLength: 600 })
    .filter((s) => !/[\\/"\r\n]/.test(s) && !s.includes('\u0000') && [...s.trim()].length >= 256),
);

/** What the documents subgraph keeps of a client's filename: the last segment, trimmed, at most 255 characters. */
export function cleanedFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop()?.trim() ?? '';
  return [...(base || 'upload')].slice(0, 255).join('');
}
