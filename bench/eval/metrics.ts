import { seededRandom } from '../../subgraphs/documents/src/classification/model/random.ts';
import type { LabelledText } from './corpora.ts';

export const TRAINING_SIZES = [5, 20, 120] as const;
const MAX_TEST_PER_TOPIC = 100;
export const SPLIT_SEED = 20_261_203;
export const DEFAULT_SEED_COUNT = 5;

/**
 * The split seeds of a run of `count`: seed 0 is SPLIT_SEED, the single split the harness
 * used alone until 2026-12-04 (so its figures stay comparable), seeds 1, 2, … are
 * `splitCorpus(documents, 1)`, `(…, 2)`, …, the extra seeds ADR 0008's third round used.
 */
export function splitSeeds(count: number): { index: number; seed: number }[] {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--seeds must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, index) => ({ index, seed: index === 0 ? SPLIT_SEED : index }));
}

export interface Split {
  labels: string[];
  test: LabelledText[];
  /** Per label, the training pool in a fixed order: the first n are the n-per-topic training set. */
  pools: Map<string, LabelledText[]>;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * A fixed-seed split per label: the test documents (up to 100, leaving 120 to train on) are
 * the same for every training size, and the smaller training sets are prefixes of the larger.
 */
export function splitCorpus(documents: readonly LabelledText[], seed = SPLIT_SEED): Split {
  const random = seededRandom(seed);
  const labels = [...new Set(documents.map((document) => document.label))].sort();
  const test: LabelledText[] = [];
  const pools = new Map<string, LabelledText[]>();
  const largest = TRAINING_SIZES.at(-1)!;
  for (const label of labels) {
    const own = shuffled(
      documents.filter((document) => document.label === label),
      random,
    );
    const testSize = Math.min(MAX_TEST_PER_TOPIC, own.length - largest);
    if (testSize < 20) throw new Error(`label ${label} has only ${own.length} documents`);
    test.push(...own.slice(0, testSize));
    pools.set(label, own.slice(testSize));
  }
  return { labels, test, pools };
}

/**
 * `npm run eval:classifier -- --validation`: the same training sets, scored on documents of
 * the training pools that no training set uses (beyond the largest, up to 100 per label;
 * labels with none left out), so candidates are compared without looking at the test split.
 */
export function validationSplit(split: Split): Split {
  const largest = TRAINING_SIZES.at(-1)!;
  return {
    ...split,
    test: split.labels.flatMap((label) =>
      split.pools.get(label)!.slice(largest, largest + MAX_TEST_PER_TOPIC),
    ),
  };
}

export const trainingSet = (split: Split, perTopic: number): LabelledText[] =>
  split.labels.flatMap((label) => split.pools.get(label)!.slice(0, perTopic));

export interface Scores {
  accuracy: number;
  macroF1: number;
}

/** `predicted[i]` is the label given to test document i, or null when none was given (wrong). */
export function score(
  truth: readonly string[],
  predicted: readonly (string | null)[],
  labels: readonly string[],
): Scores {
  let correct = 0;
  const f1s = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((actual, i) => {
      const guess = predicted[i];
      if (guess === label && actual === label) tp++;
      else if (guess === label) fp++;
      else if (actual === label) fn++;
    });
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  truth.forEach((actual, i) => {
    if (predicted[i] === actual) correct++;
  });
  return { accuracy: correct / truth.length, macroF1: f1s.reduce((a, b) => a + b, 0) / labels.length };
}

export function majorityLabel(training: readonly LabelledText[]): string {
  const counts = new Map<string, number>();
  for (const { label } of training) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}
