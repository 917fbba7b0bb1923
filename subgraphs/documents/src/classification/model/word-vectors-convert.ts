import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { COMPACT_FORMAT, WORD_VECTORS_NAME, type CompactHeader } from './word-vectors.ts';

// `node word-vectors-convert.ts <package json> <compact file>`: run by word-vectors.ts in a child
// process, once per installation. Each vector becomes signed bytes times its own scale (its
// largest component / 127): the document vector is a normalised mean of many words, on which a
// rounding error of at most 0.4 % of a component does not tell. Words keep the package's order
// (most frequent first). Written under a temporary name and renamed, so a process that reads
// the file never sees half of it, and two converting at once each leave a whole one.

interface Package {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

const [json, out] = process.argv.slice(2);
if (!json || !out) throw new Error('usage: word-vectors-convert.ts <package json> <compact file>');
const source = JSON.parse(readFileSync(json, 'utf8')) as Package;
const { dimensions } = source;
const words = source.words.filter((word) => Array.isArray(source.vectors[word]));
const scales = new Float32Array(words.length);
const values = new Int8Array(words.length * dimensions);
words.forEach((word, i) => {
  // Each entry holds the dimensions, then the package's own norm and index.
  const vector = source.vectors[word]!.slice(0, dimensions);
  const largest = Math.max(...vector.map(Math.abs));
  const scale = largest > 0 ? largest / 127 : 1;
  scales[i] = scale;
  vector.forEach((value, j) => (values[i * dimensions + j] = Math.round(value / scale)));
});
const header: CompactHeader = { name: WORD_VECTORS_NAME, format: COMPACT_FORMAT, dimensions, words };
const partial = `${out}.${process.pid}.partial`;
writeFileSync(
  partial,
  Buffer.concat([
    Buffer.from(`${JSON.stringify(header)}\n`),
    Buffer.from(scales.buffer),
    Buffer.from(values.buffer),
  ]),
);
renameSync(partial, out);
