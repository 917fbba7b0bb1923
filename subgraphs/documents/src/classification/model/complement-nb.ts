import type { SparseVector } from './features.ts';

// Complement naive Bayes (Rennie, Shih, Teevan & Karger 2003) on the model's own TF-IDF
// vectors, kept beside the softmax model and blended with it (blend.ts). Each class is
// scored by how unlike its complement (every other class) a document is, with the
// log-weights normalised per class so a class with more text does not win by size. On
// one-line texts it is steadier than the softmax model with few examples; on long ones it is
// worse, which is why the blend weight is chosen per training on held-out labels.

/** Additive smoothing of the complement counts; 0.1 led 1 on the validation runs (ADR 0008). */
export const COMPLEMENT_ALPHA = 0.1;

/** Per class, the summed TF-IDF weight of each feature in its examples: what is stored. */
export interface ClassSums {
  classes: number;
  features: number;
  /** Feature-major: sums[f * classes + k]. */
  sums: Float64Array;
}

/** `targets[i]` lists the classes of example i; an example with two counts half for each. */
export function classSums(
  vectors: readonly SparseVector[],
  targets: readonly (readonly number[])[],
  classes: number,
  features: number,
): ClassSums {
  const sums = new Float64Array(features * classes);
  vectors.forEach((vector, i) => {
    const target = targets[i]!;
    for (const k of target)
      for (let n = 0; n < vector.indices.length; n++)
        sums[vector.indices[n]! * classes + k]! += vector.values[n]! / target.length;
  });
  return { classes, features, sums };
}

/** Scoring weights, feature-major: larger means more like the class (less like its complement). */
export function complementWeights({ classes, features, sums }: ClassSums): Float64Array {
  const total = new Float64Array(features);
  const classTotal = new Float64Array(classes);
  for (let f = 0; f < features; f++)
    for (let k = 0; k < classes; k++) {
      total[f]! += sums[f * classes + k]!;
      classTotal[k]! += sums[f * classes + k]!;
    }
  const grand = classTotal.reduce((a, b) => a + b, 0);
  const weights = new Float64Array(features * classes);
  for (let k = 0; k < classes; k++) {
    const denominator = grand - classTotal[k]! + COMPLEMENT_ALPHA * features;
    let norm = 0;
    for (let f = 0; f < features; f++) {
      const weight = Math.log((total[f]! - sums[f * classes + k]! + COMPLEMENT_ALPHA) / denominator);
      weights[f * classes + k] = weight;
      norm += Math.abs(weight);
    }
    for (let f = 0; f < features && norm > 0; f++)
      weights[f * classes + k] = -weights[f * classes + k]! / norm;
  }
  return weights;
}

export function complementScores(weights: Float64Array, classes: number, vector: SparseVector): Float64Array {
  const scores = new Float64Array(classes);
  for (let n = 0; n < vector.indices.length; n++) {
    const base = vector.indices[n]! * classes;
    for (let k = 0; k < classes; k++) scores[k]! += weights[base + k]! * vector.values[n]!;
  }
  return scores;
}
