import { calibrateThreshold, heldOutAccuracy, heldOutFolds, type HeldOutPrediction } from './calibration.ts';
import {
  featuresOfTokens,
  fitVocabulary,
  indexOf,
  modelTokens,
  termsOnly,
  vectorize,
  withWordVectors,
  type FeatureOptions,
  type SparseVector,
  type Vocabulary,
} from './features.ts';
import { isLegacyModel, loadLegacyClassifier } from './legacy-ovr.ts';
import { blendProbabilities, chooseBlendWeight, type HeldOutScores } from './blend.ts';
import { classSums } from './complement-nb.ts';
import { DEFAULT_SOFTMAX, trainSoftmax, type SoftmaxOptions } from './softmax.ts';
import {
  MODEL_KIND,
  modelScorer,
  type SerializedModel,
  type StoredModel,
  type TopicQuality,
} from './stored-model.ts';
import { WORD_VECTORS_NAME, wordVectors } from './word-vectors.ts';

// The learned layer: multinomial (softmax) logistic regression on TF-IDF features of words
// and of the character n-grams of a document's first words, plus the mean of its words'
// GloVe vectors (word-vectors.ts: what words mean, learned outside the vault), blended with complement naive
// Bayes on the same features by a weight chosen on held-out labels (blend.ts), as `npm run
// eval:classifier` chose (docs/adr/0008-learned-classifier.md). Probabilities over the vault's
// AUTO topics (and "none of them", learned from documents whose hand-set topics are all of
// other modes) sum to one; the top topic is assigned when it reaches a threshold calibrated on
// held-out labels (calibration.ts). Small, deterministic, stored as JSON; nothing downloaded.

export interface TrainingExample {
  text: string;
  /** The topics a person gave the document. */
  topicIds: readonly string[];
}

export interface TopicPrediction {
  topicId: string;
  /** 0..1; over all of a model's topics (and "none") they sum to one. */
  probability: number;
  /** The document's terms that pushed hardest towards the topic. */
  terms: string[];
}

export interface AutoClassifier {
  readonly kind: string;
  readonly topicIds: readonly string[];
  /** The top topic is assigned at this probability or more; null: suggest only, never assign. */
  readonly threshold: number | null;
  readonly topics: readonly TopicQuality[];
  /** Every topic, most likely first. */
  rank(text: string, limit?: number): TopicPrediction[];
  /** The topics to assign automatically: the top one when it reaches the threshold. */
  predict(text: string): TopicPrediction[];
}

/** A topic needs this many hand-labelled examples before it is learned; fewer is a cold start. */
export const MIN_EXAMPLES_PER_TOPIC = 3;
export const FEATURES: FeatureOptions = { charGrams: [3, 5], charGramWords: 32, wordPairs: false };
const MAX_TERMS = 30_000;
/**
 * The length of the word-vector part of a document's features, beside its TF-IDF part of
 * length 1: chosen on validation documents from 0.5, 1 and 2 (ADR 0008, fifth round).
 */
export const WORD_VECTOR_WEIGHT = 1;
const EXPLANATION_TERMS = 5;
const CALIBRATION_SEED = 7;

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** `map`, letting the event loop turn every 100 items, so BullMQ keeps renewing job locks. */
async function mapInTurns<T, R>(items: readonly T[], transform: (item: T) => R): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % 100 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    results.push(transform(items[i]!));
  }
  return results;
}

/** Topics with enough examples and at least one example without them. */
function learnableTopics(examples: readonly TrainingExample[], autoTopicIds: readonly string[]): string[] {
  return autoTopicIds.filter((topicId) => {
    const positives = examples.filter((example) => example.topicIds.includes(topicId)).length;
    return positives >= MIN_EXAMPLES_PER_TOPIC && positives < examples.length;
  });
}

interface Prepared {
  vocabulary: Vocabulary;
  /** The TF-IDF vector, then the word-vector part (features from vocabulary.terms.length on). */
  vectors: SparseVector[];
  /** Each example's word count (blend.ts weighs complement naive Bayes by it). */
  words: number[];
}

/**
 * Features, vocabulary and vectors, once per training: the calibration probe and the stored
 * model share them (the probe's vocabulary and idf then know the held-out texts, never their labels).
 */
async function prepare(examples: readonly TrainingExample[]): Promise<Prepared> {
  const tokens = await mapInTurns(examples, (example) => modelTokens(example.text));
  const features = await mapInTurns(tokens, (list) => featuresOfTokens(list, FEATURES));
  // With few documents every term is rare; requiring two occurrences would leave little.
  const vocabulary = fitVocabulary(features, {
    minDocuments: examples.length >= 1_000 ? 2 : 1,
    maxTerms: MAX_TERMS,
  });
  const index = indexOf(vocabulary);
  const terms = vocabulary.terms.length;
  // As fit() decides: a model without terms learns nothing, word vectors included.
  const vectors = terms > 0 ? wordVectors() : null;
  return {
    vocabulary,
    vectors: await mapInTurns(
      examples.map((_, i) => i),
      (i) =>
        withWordVectors(
          vectorize(features[i]!, vocabulary, index),
          tokens[i]!,
          terms,
          vectors,
          WORD_VECTOR_WEIGHT,
        ),
    ),
    words: tokens.map((list) => list.length),
  };
}

async function fit(
  prepared: Prepared,
  examples: readonly TrainingExample[],
  include: (i: number) => boolean,
  classes: readonly (string | null)[],
  options: SoftmaxOptions,
): Promise<SerializedModel> {
  const { vocabulary } = prepared;
  const position = new Map(classes.map((topicId, k) => [topicId, k]));
  const vectors: SparseVector[] = [];
  const targets: number[][] = [];
  examples.forEach((example, i) => {
    if (!include(i)) return;
    const own = example.topicIds
      .filter((topicId) => position.has(topicId))
      .map((topicId) => position.get(topicId)!);
    vectors.push(prepared.vectors[i]!);
    targets.push(own.length > 0 ? own : position.has(null) ? [position.get(null)!] : []);
  });
  const terms = vocabulary.terms.length;
  const dimensions = terms > 0 ? wordVectors().dimensions : 0;
  const model = await trainSoftmax(vectors, targets, classes.length, terms + dimensions, options);
  const weights: [number, number, number][] = [];
  model.weights.forEach((weight, i) => {
    const rounded = round(weight, 4);
    if (Math.abs(rounded) >= 1e-3)
      weights.push([Math.floor(i / classes.length), i % classes.length, rounded]);
  });
  const complement: [number, number, number][] = [];
  const termVectors = vectors.map((vector) => termsOnly(vector, terms));
  classSums(termVectors, targets, classes.length, terms).sums.forEach((sum, i) => {
    const rounded = round(sum, 4);
    if (rounded > 0) complement.push([Math.floor(i / classes.length), i % classes.length, rounded]);
  });
  return {
    kind: MODEL_KIND,
    version: 4,
    features: FEATURES,
    terms: [...vocabulary.terms],
    idf: vocabulary.idf.map((value) => round(value, 5)),
    classes: [...classes],
    bias: [...model.bias].map((value) => round(value, 4)),
    weights,
    ...(terms > 0 ? { wordVectors: { name: WORD_VECTORS_NAME, weight: WORD_VECTOR_WEIGHT } } : {}),
    complement,
    blend: 0,
    threshold: null,
    topics: [],
  };
}

/** A model trained without the held-out examples scores them. */
async function heldOutScores(
  prepared: Prepared,
  examples: readonly TrainingExample[],
  held: ReadonlySet<number>,
  classes: readonly (string | null)[],
  options: SoftmaxOptions,
): Promise<(HeldOutScores & { i: number })[]> {
  const scorer = modelScorer(await fit(prepared, examples, (i) => !held.has(i), classes, options));
  return [...held].map((i) => {
    const vector = prepared.vectors[i]!;
    const truth = examples[i]!.topicIds.flatMap((topicId) => {
      const k = classes.indexOf(topicId);
      return k >= 0 ? [k] : [];
    });
    return {
      i,
      probabilities: scorer.probabilities(vector),
      complement: scorer.complement(vector)!,
      words: prepared.words[i]!,
      truth: truth.length > 0 || !classes.includes(null) ? truth : [classes.indexOf(null)],
    };
  });
}

/**
 * One probe per held-out fold (calibration.ts: every example once for small trainings, a
 * fifth for large ones) ranks the examples it did not learn: the blend weight is the one that
 * ranked most of them right, and their top topics under it calibrate the threshold.
 */
async function probe(
  prepared: Prepared,
  examples: readonly TrainingExample[],
  folds: readonly ReadonlySet<number>[],
  classes: readonly (string | null)[],
  options: SoftmaxOptions,
): Promise<{ blend: number; predictions: HeldOutPrediction[] }> {
  const scores: (HeldOutScores & { i: number })[] = [];
  for (const held of folds) scores.push(...(await heldOutScores(prepared, examples, held, classes, options)));
  if (scores.length === 0) return { blend: 0, predictions: [] };
  const blend = chooseBlendWeight(scores);
  const predictions = scores.map(({ i, probabilities, complement, words }) => {
    const top = topTopic(classes, blendProbabilities(probabilities, complement, blend, words));
    return { ...top, truth: examples[i]!.topicIds };
  });
  return { blend, predictions };
}

/** The likeliest class that is a topic ("none of them" is never a topic), rounded as `rank` rounds it. */
function topTopic(
  classes: readonly (string | null)[],
  probabilities: Float64Array,
): { topicId: string | null; probability: number } {
  let best: { topicId: string | null; probability: number } = { topicId: null, probability: 0 };
  classes.forEach((topicId, k) => {
    const probability = probabilities[k]!;
    if (
      topicId !== null &&
      (best.topicId === null ||
        probability > best.probability ||
        (probability === best.probability && topicId < best.topicId))
    )
      best = { topicId, probability };
  });
  return { topicId: best.topicId, probability: round(best.probability, 4) };
}

export async function trainAutoClassifier(
  examples: readonly TrainingExample[],
  autoTopicIds: readonly string[],
  options: SoftmaxOptions = DEFAULT_SOFTMAX,
): Promise<SerializedModel> {
  const learnable = learnableTopics(examples, autoTopicIds);
  const hasNone = examples.some(
    (example) => !example.topicIds.some((topicId) => learnable.includes(topicId)),
  );
  const classes: (string | null)[] = [...learnable, ...(hasNone ? [null] : [])];
  // Softmax needs two classes to tell apart; with fewer nothing is learned.
  if (learnable.length === 0 || classes.length < 2) {
    return await fit(
      { vocabulary: { terms: [], idf: [] }, vectors: [], words: [] },
      [],
      () => false,
      [],
      options,
    );
  }
  const prepared = await prepare(examples);
  const firstTopic = (example: TrainingExample) =>
    learnable.find((topicId) => example.topicIds.includes(topicId)) ?? null;
  const folds = heldOutFolds(examples.map(firstTopic), CALIBRATION_SEED);
  const { blend, predictions } = await probe(prepared, examples, folds, classes, options);
  const model = await fit(prepared, examples, () => true, classes, options);
  model.blend = blend;
  model.threshold = calibrateThreshold(predictions);
  model.topics = learnable.map((topicId) => {
    const quality = heldOutAccuracy(predictions, topicId);
    return {
      topicId,
      examples: examples.filter((example) => example.topicIds.includes(topicId)).length,
      heldOut: quality.heldOut,
      heldOutAccuracy: quality.accuracy,
    };
  });
  return model;
}

export function loadAutoClassifier(model: StoredModel): AutoClassifier {
  if (isLegacyModel(model)) return loadLegacyClassifier(model);
  const classes = model.classes.length;
  const scorer = modelScorer(model);
  const { weights } = scorer;
  const explain = (k: number, indices: readonly number[], values: readonly number[]) =>
    indices
      // Word-vector dimensions (past the terms) weigh in the score but are not words to show.
      .flatMap((feature, n) =>
        feature < model.terms.length
          ? [{ term: model.terms[feature]!, weight: weights[feature * classes + k]! * values[n]! }]
          : [],
      )
      .filter((contribution) => contribution.weight > 0 && !contribution.term.startsWith('#'))
      .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
      .slice(0, EXPLANATION_TERMS)
      .map((contribution) => contribution.term);
  const rank = (text: string, limit = classes): TopicPrediction[] => {
    if (classes === 0) return [];
    const tokens = modelTokens(text);
    const vector = scorer.vector(tokens);
    const probabilities = blendProbabilities(
      scorer.probabilities(vector),
      scorer.complement(vector),
      model.blend ?? 0,
      tokens.length,
    );
    return model.classes
      .map((topicId, k) => ({ topicId, k, probability: probabilities[k]! }))
      .filter((entry): entry is { topicId: string; k: number; probability: number } => entry.topicId !== null)
      .sort((a, b) => b.probability - a.probability || (a.topicId < b.topicId ? -1 : 1))
      .slice(0, limit)
      .map(({ topicId, k, probability }) => ({
        topicId,
        probability: round(probability, 4),
        terms: explain(k, vector.indices, vector.values),
      }));
  };
  return {
    kind: model.kind,
    topicIds: model.classes.filter((topicId): topicId is string => topicId !== null),
    threshold: model.threshold,
    topics: model.topics,
    rank,
    predict(text) {
      const [top] = rank(text, 1);
      return top && model.threshold !== null && top.probability >= model.threshold ? [top] : [];
    },
  };
}
