import type { SparseVector } from './features.ts';
import { seededRandom } from './random.ts';

// Multinomial (softmax) logistic regression on sparse vectors: one weight per (feature,
// topic), probabilities over the topics that sum to one, so "the most likely topic" and
// "how likely" are one figure a threshold can be calibrated on. Trained by stochastic
// gradient descent with L2 regularisation (weights kept as scale × matrix so the decay costs
// O(1) per step) and balanced class weights; the order of examples comes from a seeded
// generator, so the same labels train the same model.

export interface SoftmaxOptions {
  epochs: number;
  /** L2 strength. */
  lambda: number;
  /** Initial learning rate; decays as 1 / (1 + rate·lambda·t). */
  rate: number;
  seed: number;
}

export const DEFAULT_SOFTMAX: SoftmaxOptions = { epochs: 12, lambda: 1e-5, rate: 0.4, seed: 42 };

/**
 * Passes over the examples stop at this many steps in all (at least 3 passes): 12 passes
 * up to 5 000 examples, fewer beyond, where more data needs fewer passes to settle and
 * training time would otherwise grow with epochs × examples.
 */
export const MAX_STEPS = 60_000;
const MIN_EPOCHS = 3;

export const epochsFor = (examples: number, options: SoftmaxOptions): number =>
  Math.max(MIN_EPOCHS, Math.min(options.epochs, Math.ceil(MAX_STEPS / Math.max(1, examples))));

export interface SoftmaxModel {
  classes: number;
  /** Feature-major: the weight of feature f for class k is weights[f * classes + k]. */
  weights: Float64Array;
  bias: Float64Array;
}

/** Examples between two turns of the event loop: a training must not starve job-lock renewals. */
const EXAMPLES_PER_TURN = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Class scores (logits) of one vector; `scale` multiplies the weights (1 for a trained model). */
export function logits(model: SoftmaxModel, vector: SparseVector, scale = 1): Float64Array {
  const { classes, weights } = model;
  const scores = Float64Array.from(model.bias);
  for (let n = 0; n < vector.indices.length; n++) {
    const base = vector.indices[n]! * classes;
    const value = vector.values[n]! * scale;
    for (let k = 0; k < classes; k++) scores[k]! += weights[base + k]! * value;
  }
  return scores;
}

/** Softmax in place, shifted by the maximum so large scores do not overflow. */
export function softmaxInPlace(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const score of scores) max = Math.max(max, score);
  let sum = 0;
  for (let k = 0; k < scores.length; k++) sum += scores[k] = Math.exp(scores[k]! - max);
  for (let k = 0; k < scores.length; k++) scores[k]! /= sum;
  return scores;
}

function shuffled(length: number, random: () => number): number[] {
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * `targets[i]` lists the classes of example i (a document with two topics counts half for
 * each). Classes are weighted inversely to their size, so a rare topic is still predicted.
 */
export async function trainSoftmax(
  vectors: readonly SparseVector[],
  targets: readonly (readonly number[])[],
  classes: number,
  features: number,
  options: SoftmaxOptions = DEFAULT_SOFTMAX,
): Promise<SoftmaxModel> {
  const sizes = new Float64Array(classes);
  for (const list of targets) for (const k of list) sizes[k]! += 1 / list.length;
  const model: SoftmaxModel = {
    classes,
    weights: new Float64Array(features * classes),
    bias: new Float64Array(classes),
  };
  const { weights, bias } = model;
  const random = seededRandom(options.seed);
  const gradient = new Float64Array(classes);
  let scale = 1;
  let step = 0;
  const epochs = epochsFor(vectors.length, options);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [turn, i] of shuffled(vectors.length, random).entries()) {
      if (turn > 0 && turn % EXAMPLES_PER_TURN === 0) await yieldToEventLoop();
      const vector = vectors[i]!;
      const target = targets[i]!;
      if (target.length === 0) continue;
      const rate = options.rate / (1 + options.rate * options.lambda * step++);
      const probabilities = softmaxInPlace(logits(model, vector, scale));
      let weight = 0;
      for (const k of target) weight += vectors.length / (classes * sizes[k]!) / target.length;
      for (let k = 0; k < classes; k++) gradient[k] = probabilities[k]!;
      for (const k of target) gradient[k]! -= 1 / target.length;
      scale *= 1 - rate * options.lambda;
      if (scale < 1e-6) {
        for (let j = 0; j < weights.length; j++) weights[j]! *= scale;
        scale = 1;
      }
      const update = (rate * weight) / scale;
      for (let n = 0; n < vector.indices.length; n++) {
        const base = vector.indices[n]! * classes;
        const value = vector.values[n]! * update;
        for (let k = 0; k < classes; k++) weights[base + k]! -= gradient[k]! * value;
      }
      for (let k = 0; k < classes; k++) bias[k]! -= rate * weight * gradient[k]!;
    }
    await yieldToEventLoop();
  }
  for (let j = 0; j < weights.length; j++) weights[j]! *= scale;
  return model;
}
