import { describe, expect, it } from '@jest/globals';
import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '@docuvault/documents/classification/model/auto-classifier';
import { type SerializedModel } from '@docuvault/documents/classification/model/stored-model';
import {
  blendProbabilities,
  chooseBlendWeight,
  SHORT_TEXT_WORDS,
} from '@docuvault/documents/classification/model/blend';
import { CORPUS_TOPICS, generateCorpus, splitCorpus } from '../../fixtures/corpus.ts';

const TOPICS = Object.keys(CORPUS_TOPICS);

describe('blending complement naive Bayes into the softmax model', () => {
  const probabilities = Float64Array.from([0.5, 0.3, 0.2]);
  const complement = Float64Array.from([0.01, 0.05, 0.02]);

  it('leaves the softmax probabilities as they are at weight 0 or without complement scores', () => {
    expect([...blendProbabilities(probabilities, complement, 0, 5)]).toEqual([...probabilities]);
    expect([...blendProbabilities(probabilities, null, 2, 5)]).toEqual([...probabilities]);
  });

  it('moves probability towards the class complement naive Bayes prefers, less on long texts', () => {
    const short = blendProbabilities(probabilities, complement, 2, SHORT_TEXT_WORDS);
    const long = blendProbabilities(probabilities, complement, 2, SHORT_TEXT_WORDS * 20);
    expect(short.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(short[1]!).toBeGreaterThan(short[0]!);
    expect(long[1]!).toBeGreaterThan(probabilities[1]!);
    expect(long[1]!).toBeLessThan(short[1]!);
  });

  it('chooses the weight that ranks most held-out examples right, the smaller on a tie', () => {
    const heldOut = [
      { probabilities, complement, truth: [1], words: 5 },
      { probabilities, complement, truth: [1], words: 5 },
      { probabilities, complement, truth: [0], words: 5 },
    ];
    expect(chooseBlendWeight(heldOut)).toBeGreaterThan(0);
    expect(chooseBlendWeight([{ probabilities, complement, truth: [0], words: 5 }])).toBe(0);
    expect(chooseBlendWeight([])).toBe(0);
  });
});

describe('stored models with complement naive Bayes', () => {
  const { train, test } = splitCorpus(generateCorpus(30));
  const examples = train.map((d) => ({ text: `${d.title}\n${d.text}`, topicIds: [d.topic] }));

  it('stores class sums and the chosen weight, and ranks the same after a JSON round trip', async () => {
    const model = await trainAutoClassifier(examples, TOPICS);
    expect(model.version).toBe(4);
    expect(model.complement!.length).toBeGreaterThan(0);
    expect([0, 0.25, 0.5, 1, 2]).toContain(model.blend);
    const restored = loadAutoClassifier(JSON.parse(JSON.stringify(model)) as SerializedModel);
    const text = `${test[0]!.title}\n${test[0]!.text}`;
    expect(restored.rank(text)).toEqual(loadAutoClassifier(model).rank(text));
  });

  it('loads a version 2 model (softmax alone) and ranks by its softmax probabilities', async () => {
    const model = await trainAutoClassifier(examples, TOPICS);
    const { complement: _complement, blend: _blend, ...rest } = model;
    const old: SerializedModel = { ...rest, version: 2 };
    const text = `${test[0]!.title}\n${test[0]!.text}`;
    const ranked = loadAutoClassifier(JSON.parse(JSON.stringify(old)) as SerializedModel).rank(text);
    const alone = loadAutoClassifier({ ...model, blend: 0 }).rank(text);
    expect(ranked).toEqual(alone);
  });
});
