import { describe, expect, it } from '@jest/globals';
import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '@docuvault/documents/classification/model/auto-classifier';
import { isStoredModel, type SerializedModel } from '@docuvault/documents/classification/model/stored-model';
import {
  fitVocabulary,
  indexOf,
  modelTokens,
  vectorize,
} from '@docuvault/documents/classification/model/features';
import { CORPUS_TOPICS, generateCorpus, splitCorpus } from '../../fixtures/corpus.ts';

const TOPICS = Object.keys(CORPUS_TOPICS);
const asExample = (d: { title: string; text: string; topic: string }) => ({
  text: `${d.title}\n${d.text}`,
  topicIds: [d.topic],
});

describe('TF-IDF features', () => {
  it('folds case, drops numbers and one-letter words', () => {
    expect(modelTokens('Invoice INV 2041 a Rechnung № 7')).toEqual(['invoice', 'inv', 'rechnung']);
  });

  it('weighs rare terms above common ones and normalises to unit length', () => {
    const documents = [
      ['tax', 'the'],
      ['the', 'flight'],
      ['the', 'tax'],
    ];
    const vocabulary = fitVocabulary(documents, { minDocuments: 1, maxTerms: 100 });
    const vector = vectorize(['tax', 'the'], vocabulary, indexOf(vocabulary));
    const weights = Object.fromEntries(vector.indices.map((i, k) => [vocabulary.terms[i], vector.values[k]]));
    expect(weights.tax).toBeGreaterThan(weights.the!);
    expect(Math.hypot(...vector.values)).toBeCloseTo(1, 10);
  });
});

describe('the auto-classifier model', () => {
  const { train, test } = splitCorpus(generateCorpus(50));

  it('reaches at least 85% accuracy on held-out documents of the generated corpus', async () => {
    const classifier = loadAutoClassifier(await trainAutoClassifier(train.map(asExample), TOPICS));
    const correct = test.filter((d) => {
      const predicted = classifier.predict(`${d.title}\n${d.text}`);
      return predicted.length === 1 && predicted[0]!.topicId === d.topic;
    }).length;
    const accuracy = correct / test.length;
    process.stdout.write(
      `auto-classifier (in memory) accuracy: ${(accuracy * 100).toFixed(1)}% of ${test.length}\n`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('is deterministic and survives a JSON round trip', async () => {
    const first = await trainAutoClassifier(train.map(asExample), TOPICS);
    const second = await trainAutoClassifier(train.map(asExample), TOPICS);
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
    const restored = JSON.parse(JSON.stringify(first)) as SerializedModel;
    const text = `${test[0]!.title}\n${test[0]!.text}`;
    expect(loadAutoClassifier(restored).predict(text)).toEqual(loadAutoClassifier(first).predict(text));
  });

  it('explains a prediction by the topic words that weighed most', async () => {
    const classifier = loadAutoClassifier(await trainAutoClassifier(train.map(asExample), TOPICS));
    const [prediction] = classifier.predict(
      'the patient got a prescription for the blood pressure from the clinic',
    );
    expect(prediction?.topicId).toBe('medical');
    expect(prediction!.terms.length).toBeGreaterThan(0);
    expect(
      prediction!.terms.every((term) => (CORPUS_TOPICS.medical as readonly string[]).includes(term)),
    ).toBe(true);
  });

  it('learns only topics with enough examples and a counter-example, the rest as "none of them"', async () => {
    const examples = [
      { text: 'tax invoice', topicIds: ['finance', 'everything'] },
      { text: 'bank invoice', topicIds: ['finance', 'everything'] },
      { text: 'card invoice', topicIds: ['finance', 'everything'] },
      { text: 'flight hotel', topicIds: ['travel', 'everything'] },
      { text: 'train hotel', topicIds: ['travel', 'everything'] },
    ];
    const model = await trainAutoClassifier(examples, ['finance', 'travel', 'everything', 'unused']);
    expect(model.topics.map((t) => t.topicId)).toEqual(['finance']);
    expect(model.classes).toEqual(['finance', null]);
  });

  it('trains an empty model from no examples', async () => {
    const classifier = loadAutoClassifier(await trainAutoClassifier([], TOPICS));
    expect(classifier.topicIds).toEqual([]);
    expect(classifier.predict('anything')).toEqual([]);
  });
});

describe('a model stored in the old one-vs-rest format', () => {
  it('still loads and assigns at 0.5 until the vault is retrained', () => {
    const legacy = {
      kind: 'tfidf-logistic-ovr' as const,
      version: 1 as const,
      terms: ['clinic', 'patient'],
      idf: [1, 1],
      topics: [
        { topicId: 'medical', bias: -1, weights: [[0, 3] as [number, number], [1, 3] as [number, number]] },
      ],
    };
    expect(isStoredModel(JSON.parse(JSON.stringify(legacy)))).toBe(true);
    const classifier = loadAutoClassifier(legacy);
    expect(classifier.threshold).toBe(0.5);
    expect(classifier.predict('the patient at the clinic').map((p) => p.topicId)).toEqual(['medical']);
    expect(classifier.predict('a flight to Rome')).toEqual([]);
    expect(classifier.rank('a flight to Rome')[0]?.topicId).toBe('medical');
  });
});
