import {
  featuresOfTokens,
  indexOf,
  termsOnly,
  vectorize,
  withWordVectors,
  type FeatureOptions,
  type SparseVector,
  type Vocabulary,
} from './features.ts';
import { isLegacyModel, type LegacyModel } from './legacy-ovr.ts';
import { complementScores, complementWeights } from './complement-nb.ts';
import { logits, softmaxInPlace } from './softmax.ts';
import { wordVectors, type WordVectors } from './word-vectors.ts';

// The auto-classifier's model as stored (classifier_models.model, JSON) and what turns a stored
// model back into scores: the features of a text, the softmax model's probabilities and
// complement naive Bayes' scores. Training (auto-classifier.ts) writes this format; every
// version still listed here still loads.

export const MODEL_KIND = 'tfidf-softmax';

export interface TopicQuality {
  topicId: string;
  /** Hand-labelled examples it learned from. */
  examples: number;
  /** Held-out examples and the share whose top topic was this one (null without any). */
  heldOut: number;
  heldOutAccuracy: number | null;
}

export interface SerializedModel {
  kind: 'tfidf-softmax';
  /**
   * 4 adds `wordVectors`; 3 adds `complement` and `blend`; version 2 models (softmax alone)
   * and version 3 (no word vectors) still load.
   */
  version: 2 | 3 | 4;
  features: FeatureOptions;
  terms: string[];
  idf: number[];
  /** Classes in weight order: the topics, then null for "none of them" when learned. */
  classes: (string | null)[];
  bias: number[];
  /**
   * Sparse weights: [feature index, class index, weight], near-zero weights dropped. Features
   * 0 … terms.length − 1 are the terms; with `wordVectors`, terms.length + j is dimension j of
   * the document's word vector.
   */
  weights: [number, number, number][];
  /** The word vectors whose document mean is a feature, and the length that mean is given. */
  wordVectors?: { name: string; weight: number };
  /** Complement naive Bayes: per class the summed TF-IDF of each term, [term, class, sum], zeros dropped. */
  complement?: [number, number, number][];
  /** How much complement naive Bayes weighs in the blend (blend.ts); 0: the softmax model alone. */
  blend?: number;
  threshold: number | null;
  topics: TopicQuality[];
}

export type StoredModel = SerializedModel | LegacyModel;

export function isStoredModel(value: unknown): value is StoredModel {
  const model = value as Partial<SerializedModel> | null;
  return (
    (model?.kind === MODEL_KIND &&
      (model.version === 2 || model.version === 3 || model.version === 4) &&
      Array.isArray(model.terms)) ||
    isLegacyModel(value)
  );
}

export interface ModelScorer {
  /** The features of a text split by `modelTokens`. */
  vector(tokens: readonly string[]): SparseVector;
  /** The softmax model's probabilities, per class. */
  probabilities(vector: SparseVector): Float64Array;
  /** Complement naive Bayes' scores per class; null for a model stored without it (version 2). */
  complement(vector: SparseVector): Float64Array | null;
  /** Weight of feature f for class k in the softmax model: weights[f * classes + k] (terms first). */
  weights: Float64Array;
}

function modelVectors(model: SerializedModel): WordVectors | null {
  if (!model.wordVectors) return null;
  const vectors = wordVectors();
  if (model.wordVectors.name !== vectors.name)
    throw new Error(`model needs word vectors ${model.wordVectors.name}, installed: ${vectors.name}`);
  return vectors;
}

export function modelScorer(model: SerializedModel): ModelScorer {
  const vocabulary: Vocabulary = { terms: model.terms, idf: model.idf };
  const index = indexOf(vocabulary);
  const classes = model.classes.length;
  const terms = model.terms.length;
  const vectors = modelVectors(model);
  const weights = new Float64Array((terms + (vectors?.dimensions ?? 0)) * classes);
  for (const [term, k, weight] of model.weights) weights[term * classes + k] = weight;
  const softmax = { classes, weights, bias: Float64Array.from(model.bias) };
  let complement: Float64Array | null = null;
  if (model.complement) {
    const sums = new Float64Array(model.terms.length * classes);
    for (const [term, k, sum] of model.complement) sums[term * classes + k] = sum;
    complement = complementWeights({ classes, features: model.terms.length, sums });
  }
  return {
    vector: (tokens) =>
      withWordVectors(
        vectorize(featuresOfTokens(tokens, model.features), vocabulary, index),
        tokens,
        terms,
        vectors,
        model.wordVectors?.weight ?? 0,
      ),
    probabilities: (vector) => softmaxInPlace(logits(softmax, vector)),
    complement: (vector) =>
      complement ? complementScores(complement, classes, termsOnly(vector, terms)) : null,
    weights,
  };
}
