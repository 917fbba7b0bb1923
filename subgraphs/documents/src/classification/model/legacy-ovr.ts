import { indexOf, modelTokens, vectorize, type Vocabulary } from './features.ts';
import type { AutoClassifier, TopicPrediction } from './auto-classifier.ts';

// Models stored before the softmax model (kind 'tfidf-logistic-ovr', version 1): one binary
// logistic regression per topic, a topic assigned at probability 0.5. They still load, so a
// vault keeps its AUTO topics until the next label check retrains it (the labels fingerprint
// names the model format, so every such vault counts as stale once).

export interface LegacyModel {
  kind: 'tfidf-logistic-ovr';
  version: 1;
  terms: string[];
  idf: number[];
  topics: { topicId: string; bias: number; weights: [number, number][] }[];
}

const LEGACY_THRESHOLD = 0.5;
const EXPLANATION_TERMS = 5;

export function isLegacyModel(value: unknown): value is LegacyModel {
  const model = value as Partial<LegacyModel> | null;
  return model?.kind === 'tfidf-logistic-ovr' && model.version === 1 && Array.isArray(model.terms);
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function loadLegacyClassifier(model: LegacyModel): AutoClassifier {
  const vocabulary: Vocabulary = { terms: model.terms, idf: model.idf };
  const index = indexOf(vocabulary);
  const topics = model.topics.map((topic) => ({ ...topic, weights: new Map(topic.weights) }));
  const rank = (text: string): TopicPrediction[] => {
    const vector = vectorize(modelTokens(text), vocabulary, index);
    return topics
      .map((topic) => {
        const contributions = vector.indices.map((position, k) => ({
          term: model.terms[position]!,
          weight: (topic.weights.get(position) ?? 0) * vector.values[k]!,
        }));
        const z = topic.bias + contributions.reduce((sum, c) => sum + c.weight, 0);
        return {
          topicId: topic.topicId,
          probability: Number(sigmoid(z).toFixed(4)),
          terms: contributions
            .filter((c) => c.weight > 0)
            .sort((a, b) => b.weight - a.weight)
            .slice(0, EXPLANATION_TERMS)
            .map((c) => c.term),
        };
      })
      .sort((a, b) => b.probability - a.probability);
  };
  return {
    kind: model.kind,
    topicIds: topics.map((topic) => topic.topicId),
    threshold: LEGACY_THRESHOLD,
    topics: [],
    rank,
    predict: (text) => rank(text).filter((prediction) => prediction.probability >= LEGACY_THRESHOLD),
  };
}
