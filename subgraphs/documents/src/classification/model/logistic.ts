import type { SparseVector } from './features.ts';
import { seededRandom } from './random.ts';

// Binary logistic regression on sparse vectors, trained by stochastic gradient descent
// with L2 regularisation (weights kept as scale × vector so the decay costs O(1) per step,
// not O(features)) and balanced class weights, so a topic with few examples is still
// predicted. Deterministic: the order of examples comes from a seeded generator.

export interface BinaryModel {
  bias: number;
  weights: Float64Array;
}

export interface TrainingOptions {
  epochs: number;
  /** L2 strength. */
  lambda: number;
  /** Initial learning rate; decays as 1 / (1 + rate·lambda·t). */
  rate: number;
  seed: number;
}

export const DEFAULT_TRAINING: TrainingOptions = { epochs: 15, lambda: 1e-4, rate: 0.5, seed: 42 };

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function dot(weights: ArrayLike<number>, vector: SparseVector): number {
  let sum = 0;
  for (let k = 0; k < vector.indices.length; k++) sum += weights[vector.indices[k]!]! * vector.values[k]!;
  return sum;
}

function shuffled(length: number, random: () => number): number[] {
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Yields to the event loop between epochs: a long training must not starve job-lock renewals. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainBinary(
  vectors: readonly SparseVector[],
  labels: readonly boolean[],
  features: number,
  options: TrainingOptions = DEFAULT_TRAINING,
): Promise<BinaryModel> {
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  const classWeight = (label: boolean) => labels.length / (2 * (label ? positives : negatives));
  const direction = new Float64Array(features);
  let scale = 1;
  let bias = 0;
  let step = 0;
  const random = seededRandom(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const i of shuffled(vectors.length, random)) {
      const vector = vectors[i]!;
      const label = labels[i]!;
      const rate = options.rate / (1 + options.rate * options.lambda * step++);
      const gradient =
        classWeight(label) * (sigmoid(scale * dot(direction, vector) + bias) - (label ? 1 : 0));
      scale *= 1 - rate * options.lambda;
      if (scale < 1e-9) {
        for (let j = 0; j < features; j++) direction[j]! *= scale;
        scale = 1;
      }
      const update = (rate * gradient) / scale;
      for (let k = 0; k < vector.indices.length; k++)
        direction[vector.indices[k]!]! -= update * vector.values[k]!;
      bias -= rate * gradient;
    }
    await yieldToEventLoop();
  }
  for (let j = 0; j < features; j++) direction[j]! *= scale;
  return { bias, weights: direction };
}
