import { describe, expect, it } from '@jest/globals';
import {
  loadAutoClassifier,
  trainAutoClassifier,
  WORD_VECTOR_WEIGHT,
} from '@docuvault/documents/classification/model/auto-classifier';
import { type SerializedModel } from '@docuvault/documents/classification/model/stored-model';
import { WORD_VECTORS_NAME, wordVectors } from '@docuvault/documents/classification/model/word-vectors';

const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, value, j) => sum + value * b[j]!, 0);

describe('word vectors', () => {
  const vectors = wordVectors();

  it('puts documents about one thing closer together than documents about different things', () => {
    const music = vectors.documentVector(['violin', 'orchestra'])!;
    expect(dot(music, vectors.documentVector(['guitar', 'melody'])!)).toBeGreaterThan(
      dot(music, vectors.documentVector(['football', 'referee'])!) + 0.2,
    );
  });

  it('gives a unit-length mean of distinct words, and none for words it lacks or the commonest ones', () => {
    const once = vectors.documentVector(['invoice', 'payment'])!;
    expect(once).toHaveLength(vectors.dimensions);
    expect(Math.hypot(...once)).toBeCloseTo(1, 10);
    expect([...vectors.documentVector(['invoice', 'payment', 'invoice', 'the'])!]).toEqual([...once]);
    expect(vectors.documentVector(['xqzvbnmw'])).toBeNull();
    expect(vectors.documentVector(['the', 'of'])).toBeNull();
    expect(vectors.documentVector([])).toBeNull();
  });

  it('is read once per process', () => {
    expect(wordVectors()).toBe(vectors);
  });
});

describe('a model with word vectors', () => {
  const topics = ['music', 'sport'];
  const examples = [
    'guitar lessons for beginners',
    'piano concert tonight',
    'melody and harmony notes',
    'choir rehearsal schedule',
    'football match report',
    'tennis tournament results',
    'goalkeeper training drills',
    'marathon running plan',
  ].map((text, i) => ({ text, topicIds: [topics[i < 4 ? 0 : 1]!] }));
  // Not one of these words is in a training example.
  const unseen = [
    'violin symphony orchestra',
    'cello quartet',
    'basketball championship',
    'rugby league fixtures',
  ];

  it('stores which vectors it used and ranks documents whose words no example held', async () => {
    const model = await trainAutoClassifier(examples, topics);
    expect(model.version).toBe(4);
    expect(model.wordVectors).toEqual({ name: WORD_VECTORS_NAME, weight: WORD_VECTOR_WEIGHT });
    expect(model.weights.some(([feature]) => feature >= model.terms.length)).toBe(true);
    const classifier = loadAutoClassifier(JSON.parse(JSON.stringify(model)) as SerializedModel);
    expect(unseen.map((text) => classifier.rank(text, 1)[0]!.topicId)).toEqual([
      'music',
      'music',
      'sport',
      'sport',
    ]);
    // The explanation lists words, never a vector dimension.
    for (const text of unseen)
      for (const { terms } of classifier.rank(text))
        for (const term of terms) expect(model.terms).toContain(term);
  });

  it('still loads a version 3 model (stored before word vectors) and ranks by its terms alone', async () => {
    const model = await trainAutoClassifier(examples, topics);
    const { wordVectors: _vectors, ...rest } = model;
    const old: SerializedModel = {
      ...rest,
      version: 3,
      weights: model.weights.filter(([feature]) => feature < model.terms.length),
    };
    const classifier = loadAutoClassifier(JSON.parse(JSON.stringify(old)) as SerializedModel);
    const [top] = classifier.rank('piano and guitar', 1);
    expect(top!.topicId).toBe('music');
    expect(top!.terms).toEqual(expect.arrayContaining(['piano', 'guitar']));
  });
});
