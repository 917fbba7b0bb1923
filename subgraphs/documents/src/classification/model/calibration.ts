import { seededRandom } from './random.ts';

// The assignment threshold, calibrated on held-out labels rather than fixed: a share of each
// topic's examples is kept out of a first training, that model ranks them, and the threshold
// is the lowest top-topic probability at which its automatic assignments would have been right
// at least TARGET_PRECISION of the time, with
// 95 % confidence. The model that is stored is then trained on every
// example; the held-out figures are what `classifierStatus` reports per topic.

/** Automatic topics should be right this often; below the threshold a topic is only suggested. */
export const TARGET_PRECISION = 0.8;
/** Fewer held-out assignments than this say nothing: the threshold is then null (suggest only). */
export const MIN_CALIBRATION_ASSIGNMENTS = 5;
/** One example in this many (of each topic that has at least 3) is held out. */
const HOLD_OUT_EVERY = 5;

export interface HeldOutPrediction {
  /** The topic ranked first and its probability. */
  topicId: string | null;
  probability: number;
  /** The topics a person gave the example. */
  truth: readonly string[];
}

/** Indices of the examples to hold out: per topic (by its first), a seeded fifth, at least one of three. */
export function heldOutIndices(firstTopics: readonly (string | null)[], seed: number): Set<number> {
  const random = seededRandom(seed);
  const byTopic = new Map<string | null, number[]>();
  firstTopics.forEach((topic, i) => byTopic.set(topic, [...(byTopic.get(topic) ?? []), i]));
  const held = new Set<number>();
  for (const [, indices] of [...byTopic].sort(([a], [b]) => String(a).localeCompare(String(b)))) {
    if (indices.length < 3) continue;
    const count = Math.max(1, Math.floor(indices.length / HOLD_OUT_EVERY));
    const order = indices.map((index) => ({ index, key: random() })).sort((a, b) => a.key - b.key);
    for (const { index } of order.slice(0, count)) held.add(index);
  }
  return held;
}

/** One-sided 95 %: the precision we can claim from `right` of `total` and not be wrong more than one time in twenty. */
const Z = 1.645;

/** The Wilson score interval's lower bound of a proportion: small samples claim little. */
export function wilsonLowerBound(right: number, total: number): number {
  if (total === 0) return 0;
  const p = right / total;
  const z2 = Z * Z;
  const centre = p + z2 / (2 * total);
  const spread = Z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return (centre - spread) / (1 + z2 / total);
}

const isRight = (prediction: HeldOutPrediction) =>
  prediction.topicId !== null && prediction.truth.includes(prediction.topicId);

/**
 * The lowest probability p such that, of the held-out examples whose top topic has at least
 * p, the share that were right is at least TARGET_PRECISION with 95 % confidence (Wilson lower
 * bound), over at least MIN_CALIBRATION_ASSIGNMENTS of them; null when no such p exists (too
 * few labels to be sure, or a model not yet good enough to act alone).
 */
export function calibrateThreshold(predictions: readonly HeldOutPrediction[]): number | null {
  const ranked = predictions
    .filter((prediction) => prediction.topicId !== null)
    .sort((a, b) => b.probability - a.probability);
  let right = 0;
  let threshold: number | null = null;
  ranked.forEach((prediction, i) => {
    if (isRight(prediction)) right++;
    const next = ranked[i + 1];
    // Only between distinct probabilities: a threshold cannot split equal ones.
    if (next?.probability === prediction.probability) return;
    if (i + 1 >= MIN_CALIBRATION_ASSIGNMENTS && wilsonLowerBound(right, i + 1) >= TARGET_PRECISION)
      threshold = prediction.probability;
  });
  return threshold;
}

export interface TopicHeldOut {
  /** Held-out examples of the topic. */
  heldOut: number;
  /** Share of them whose top-ranked topic was this one; null without any. */
  accuracy: number | null;
}

export function heldOutAccuracy(predictions: readonly HeldOutPrediction[], topicId: string): TopicHeldOut {
  const own = predictions.filter((prediction) => prediction.truth.includes(topicId));
  const right = own.filter((prediction) => prediction.topicId === topicId).length;
  return { heldOut: own.length, accuracy: own.length === 0 ? null : Number((right / own.length).toFixed(4)) };
}
