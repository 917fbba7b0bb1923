import { softmaxInPlace } from './softmax.ts';

// The softmax model's probabilities blended with complement naive Bayes (complement-nb.ts):
// the blended logit of class k is ln p_k + w · σ · z_k, where z is the complement scores
// standardised over the document's classes and σ the spread of the ln p. Standardising puts
// both on one scale (complement scores are small sums of normalised log-weights); scaling by σ
// keeps the softmax model's own confidence, so w = 0 is exactly the softmax model. w is the
// vault's blend weight (chosen per training on held-out labels, `chooseBlendWeight`) scaled
// down for texts longer than SHORT_TEXT_WORDS.

/**
 * Complement naive Bayes weighs fully on texts of up to this many words and less on longer
 * ones (in proportion): it helped one-line texts and hurt pages of text in the validation runs.
 */
export const SHORT_TEXT_WORDS = 20;

/** The weights tried on held-out labels; the first (the softmax model alone) wins ties. */
export const BLEND_WEIGHTS = [0, 0.25, 0.5, 1, 2] as const;

function spread(values: Float64Array): { mean: number; deviation: number } {
  let mean = 0;
  for (const value of values) mean += value / values.length;
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2 / values.length;
  return { mean, deviation: Math.sqrt(variance) };
}

/** Blended probabilities (a new array); `probabilities` and `complement` are per class, in one order. */
export function blendProbabilities(
  probabilities: Float64Array,
  complement: Float64Array | null,
  blend: number,
  words: number,
): Float64Array {
  const weight = blend * Math.min(1, SHORT_TEXT_WORDS / Math.max(1, words));
  if (weight === 0 || complement === null || probabilities.length < 2)
    return Float64Array.from(probabilities);
  // A probability that underflowed to 0 still ranks last rather than becoming -Infinity.
  const logs = probabilities.map((p) => Math.log(Math.max(p, 1e-300)));
  const own = spread(logs);
  const other = spread(complement);
  if (other.deviation === 0) return Float64Array.from(probabilities);
  const scale = (weight * (own.deviation > 0 ? own.deviation : 1)) / other.deviation;
  return softmaxInPlace(logs.map((log, k) => log + scale * (complement[k]! - other.mean)));
}

export interface HeldOutScores {
  probabilities: Float64Array;
  complement: Float64Array;
  /** Class indices a person gave the example (empty: none the model learned). */
  truth: readonly number[];
  /** Words of the text (blendProbabilities' `words`). */
  words: number;
}

const argmax = (values: Float64Array) =>
  values.reduce((best, value, k) => (value > values[best]! ? k : best), 0);

/**
 * The blend weight whose top class was right for the most held-out examples; ties go to the
 * smaller weight, so with few held-out labels (where most weights tie) the softmax model stays alone.
 */
export function chooseBlendWeight(heldOut: readonly HeldOutScores[]): number {
  let best: number = BLEND_WEIGHTS[0];
  let bestRight = -Infinity;
  for (const weight of BLEND_WEIGHTS) {
    const right = heldOut.filter(({ probabilities, complement, truth, words }) =>
      truth.includes(argmax(blendProbabilities(probabilities, complement, weight, words))),
    ).length;
    if (right > bestRight) {
      best = weight;
      bestRight = right;
    }
  }
  return best;
}
