import { fitVocabulary, indexOf, modelTokens, vectorize, type Vocabulary } from './features.ts';
import { DEFAULT_TRAINING, dot, sigmoid, trainBinary, type TrainingOptions } from './logistic.ts';

// The learned layer: one-vs-rest logistic regression on TF-IDF features, one binary model
// per AUTO topic, so a document can get several topics (or none). Small, deterministic,
// stored as JSON in classifier_models; nothing is downloaded.

export interface TrainingExample {
  text: string;
  /** The topics a person gave the document. */
  topicIds: readonly string[];
}

export interface TopicPrediction {
  topicId: string;
  probability: number;
  /** The document's terms that pushed hardest towards the topic. */
  terms: string[];
}

export interface AutoClassifier {
  readonly topicIds: readonly string[];
  /** Topics whose probability reaches the threshold, most likely first. */
  predict(text: string): TopicPrediction[];
}

export interface SerializedModel {
  kind: 'tfidf-logistic-ovr';
  version: 1;
  terms: string[];
  idf: number[];
  /** Sparse weights: [term index, weight] pairs, near-zero weights dropped. */
  topics: { topicId: string; bias: number; weights: [number, number][] }[];
}

/** A topic needs this many examples (and one counter-example) before it is learned. */
export const MIN_EXAMPLES_PER_TOPIC = 2;
export const PREDICTION_THRESHOLD = 0.5;
const MAX_TERMS = 20_000;
const EXPLANATION_TERMS = 5;

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * `map`, letting the event loop turn every 100 items: tokenising thousands of documents
 * at once would keep BullMQ from renewing the locks of this and every other running job.
 */
async function mapInTurns<T, R>(items: readonly T[], transform: (item: T) => R): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % 100 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    results.push(transform(items[i]!));
  }
  return results;
}

export async function trainAutoClassifier(
  examples: readonly TrainingExample[],
  autoTopicIds: readonly string[],
  options: TrainingOptions = DEFAULT_TRAINING,
): Promise<SerializedModel> {
  const learnable = autoTopicIds.filter((topicId) => {
    const positives = examples.filter((example) => example.topicIds.includes(topicId)).length;
    return positives >= MIN_EXAMPLES_PER_TOPIC && positives < examples.length;
  });
  const tokens = await mapInTurns(examples, (example) => modelTokens(example.text));
  // With few documents every term is rare; requiring two occurrences would leave nothing.
  const vocabulary = fitVocabulary(tokens, {
    minDocuments: examples.length >= 20 ? 2 : 1,
    maxTerms: MAX_TERMS,
  });
  const index = indexOf(vocabulary);
  const vectors = await mapInTurns(tokens, (list) => vectorize(list, vocabulary, index));
  const topics: SerializedModel['topics'] = [];
  for (const topicId of learnable) {
    const labels = examples.map((example) => example.topicIds.includes(topicId));
    const { bias, weights } = await trainBinary(vectors, labels, vocabulary.terms.length, options);
    const sparse: [number, number][] = [];
    weights.forEach((weight, position) => {
      const rounded = round(weight, 4);
      if (Math.abs(rounded) >= 1e-3) sparse.push([position, rounded]);
    });
    topics.push({ topicId, bias: round(bias, 4), weights: sparse });
  }
  return {
    kind: 'tfidf-logistic-ovr',
    version: 1,
    terms: [...vocabulary.terms],
    idf: vocabulary.idf.map((value) => round(value, 5)),
    topics,
  };
}

export function isSerializedModel(value: unknown): value is SerializedModel {
  const model = value as Partial<SerializedModel> | null;
  return model?.kind === 'tfidf-logistic-ovr' && model.version === 1 && Array.isArray(model.terms);
}

export function loadAutoClassifier(model: SerializedModel): AutoClassifier {
  const vocabulary: Vocabulary = { terms: model.terms, idf: model.idf };
  const index = indexOf(vocabulary);
  const topics = model.topics.map((topic) => {
    const weights = new Float64Array(model.terms.length);
    for (const [position, weight] of topic.weights) weights[position] = weight;
    return { topicId: topic.topicId, bias: topic.bias, weights };
  });
  return {
    topicIds: topics.map((topic) => topic.topicId),
    predict(text) {
      const vector = vectorize(modelTokens(text), vocabulary, index);
      const predictions: TopicPrediction[] = [];
      for (const topic of topics) {
        const probability = sigmoid(topic.bias + dot(topic.weights, vector));
        if (probability < PREDICTION_THRESHOLD) continue;
        const contributions = vector.indices
          .map((position, k) => ({
            term: model.terms[position]!,
            weight: topic.weights[position]! * vector.values[k]!,
          }))
          .filter((contribution) => contribution.weight > 0)
          .sort((a, b) => b.weight - a.weight)
          .slice(0, EXPLANATION_TERMS);
        predictions.push({
          topicId: topic.topicId,
          probability: round(probability, 4),
          terms: contributions.map((c) => c.term),
        });
      }
      return predictions.sort((a, b) => b.probability - a.probability);
    },
  };
}
