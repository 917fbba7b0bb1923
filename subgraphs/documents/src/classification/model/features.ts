import { fold, words } from '../rules/tokens.ts';
import type { WordVectors } from './word-vectors.ts';

// TF-IDF features: sublinear term frequency (1 + ln tf) times smoothed inverse document
// frequency, L2-normalised, so long and short documents weigh alike.

/** Tokens the model learns from: folded words of 2–40 characters, numbers left out (ids, dates, amounts). */
export function modelTokens(text: string): string[] {
  return words(fold(text, false)).filter(
    (word) => word.length >= 2 && word.length <= 40 && !/^\p{N}+$/u.test(word),
  );
}

export interface FeatureOptions {
  /** Character n-grams of words (lengths min..max, with word boundaries): robust to OCR noise and inflection. */
  charGrams: readonly [number, number] | null;
  /** Only the first this many words give character n-grams: the start of a document says what it is, and cost stays bounded. */
  charGramWords: number;
  /** Pairs of adjacent words. */
  wordPairs: boolean;
}

/**
 * The words of a text and, as options say, their character n-grams (marked `#`, word
 * boundaries `<` `>`) and adjacent pairs (`a_b`): none of those characters occurs in a word,
 * so the kinds never collide.
 */
export function modelFeatures(text: string, options: FeatureOptions): string[] {
  return featuresOfTokens(modelTokens(text), options);
}

/** `modelFeatures` of a text already split by `modelTokens` (a caller that needs the tokens too splits once). */
export function featuresOfTokens(tokens: readonly string[], options: FeatureOptions): string[] {
  const features = [...tokens];
  if (options.wordPairs)
    for (let i = 1; i < tokens.length; i++) features.push(`${tokens[i - 1]}_${tokens[i]}`);
  if (options.charGrams) {
    const [min, max] = options.charGrams;
    // Each distinct word once: its n-grams say the same the second time, at the same cost.
    for (const token of new Set(tokens.slice(0, options.charGramWords))) {
      const padded = `<${token}>`;
      for (let length = min; length <= max; length++)
        for (let start = 0; start + length <= padded.length; start++)
          features.push(`#${padded.slice(start, start + length)}`);
    }
  }
  return features;
}

export interface SparseVector {
  readonly indices: readonly number[];
  readonly values: readonly number[];
}

export interface Vocabulary {
  readonly terms: readonly string[];
  readonly idf: readonly number[];
}

export interface VocabularyOptions {
  /** A term must occur in this many documents (drops typos and one-off ids). */
  minDocuments: number;
  /** Keep the most widespread terms only: bounds the model's size. */
  maxTerms: number;
}

export function fitVocabulary(
  documents: readonly (readonly string[])[],
  options: VocabularyOptions,
): Vocabulary {
  const documentFrequency = new Map<string, number>();
  for (const tokens of documents) {
    for (const term of new Set(tokens)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const kept = [...documentFrequency]
    .filter(([, count]) => count >= options.minDocuments)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxTerms)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const n = documents.length;
  return {
    terms: kept.map(([term]) => term),
    idf: kept.map(([, count]) => Math.log((1 + n) / (1 + count)) + 1),
  };
}

export function indexOf(vocabulary: Vocabulary): Map<string, number> {
  return new Map(vocabulary.terms.map((term, index) => [term, index]));
}

export function vectorize(
  tokens: readonly string[],
  vocabulary: Vocabulary,
  index: ReadonlyMap<string, number>,
): SparseVector {
  const counts = new Map<number, number>();
  for (const token of tokens) {
    const position = index.get(token);
    if (position !== undefined) counts.set(position, (counts.get(position) ?? 0) + 1);
  }
  const indices = [...counts.keys()].sort((a, b) => a - b);
  const values = indices.map((position) => (1 + Math.log(counts.get(position)!)) * vocabulary.idf[position]!);
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return { indices, values: norm > 0 ? values.map((value) => value / norm) : values };
}

/** A document's features: TF-IDF, then, when the model has word vectors, their weighted document mean. */
export function withWordVectors(
  vector: SparseVector,
  tokens: readonly string[],
  terms: number,
  vectors: WordVectors | null,
  weight: number,
): SparseVector {
  const mean = vectors?.documentVector(tokens);
  if (!mean) return vector;
  const indices = [...vector.indices];
  const values = [...vector.values];
  mean.forEach((value, j) => {
    indices.push(terms + j);
    values.push(value * weight);
  });
  return { indices, values };
}

/** The TF-IDF part alone (complement naive Bayes reads counts, which a word vector's signed values are not). */
export function termsOnly(vector: SparseVector, terms: number): SparseVector {
  let n = vector.indices.length;
  while (n > 0 && vector.indices[n - 1]! >= terms) n--;
  return n === vector.indices.length
    ? vector
    : { indices: vector.indices.slice(0, n), values: vector.values.slice(0, n) };
}
