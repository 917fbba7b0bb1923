import { seededRandom } from './random.ts';

// The assignment threshold, calibrated on held-out labels rather than fixed: examples are kept
// out of a probe training, the probe ranks them, and the threshold is the lowest top-topic
// probability at which its automatic assignments would have been right at least
// TARGET_PRECISION of the time, with 95 % confidence. Small trainings (up to
// CROSS_VALIDATION_MAX_EXAMPLES) hold every example out once, in one of CROSS_VALIDATION_FOLDS
// probes (cross-validation); larger ones hold out a fifth in one probe. The model that is stored
// is then trained on every example; the held-out figures are what `classifierStatus` reports per topic.

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

/**
 * Up to this many examples every one is held out once, by cross-validation: a single held-out
 * fifth of 20 examples per topic left too few assignments to claim any threshold (man pages at
 * 20 per topic in `npm run eval:classifier`), while five probes on 1 000 examples cost less
 * than the one probe at 10 000 does.
 */
export const CROSS_VALIDATION_MAX_EXAMPLES = 1_000;
export const CROSS_VALIDATION_FOLDS = HOLD_OUT_EVERY;

/** Per topic (by its first, topics in name order), its example indices in a seeded order; topics with fewer than three left out. */
function shuffledByTopic(firstTopics: readonly (string | null)[], seed: number): number[][] {
  const random = seededRandom(seed);
  const byTopic = new Map<string | null, number[]>();
  firstTopics.forEach((topic, i) => byTopic.set(topic, [...(byTopic.get(topic) ?? []), i]));
  return [...byTopic]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .filter(([, indices]) => indices.length >= 3)
    .map(([, indices]) =>
      indices
        .map((index) => ({ index, key: random() }))
        .sort((a, b) => a.key - b.key)
        .map(({ index }) => index),
    );
}

/** Indices of the examples to hold out: per topic (by its first), a seeded fifth, at least one of three. */
export function heldOutIndices(firstTopics: readonly (string | null)[], seed: number): Set<number> {
  const held = new Set<number>();
  for (const order of shuffledByTopic(firstTopics, seed)) {
    const count = Math.max(1, Math.floor(order.length / HOLD_OUT_EVERY));
    for (const index of order.slice(0, count)) held.add(index);
  }
  return held;
}

/**
 * The probes' held-out sets, disjoint: up to CROSS_VALIDATION_MAX_EXAMPLES examples, every
 * example of a topic with at least three in one of CROSS_VALIDATION_FOLDS folds (dealt in turn,
 * so each fold holds out a fifth of each topic and a probe still learns every topic); beyond,
 * one set, `heldOutIndices`. Empty sets are left out.
 */
export function heldOutFolds(firstTopics: readonly (string | null)[], seed: number): Set<number>[] {
  if (firstTopics.length > CROSS_VALIDATION_MAX_EXAMPLES) {
    const held = heldOutIndices(firstTopics, seed);
    return held.size > 0 ? [held] : [];
  }
  const folds = Array.from({ length: CROSS_VALIDATION_FOLDS }, () => new Set<number>());
  let turn = 0;
  for (const order of shuffledByTopic(firstTopics, seed))
    for (const index of order) folds[turn++ % CROSS_VALIDATION_FOLDS]!.add(index);
  return folds.filter((fold) => fold.size > 0);
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
