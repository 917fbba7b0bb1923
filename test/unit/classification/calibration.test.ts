import { describe, expect, it } from '@jest/globals';
import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '@docuvault/documents/classification/model/auto-classifier';
import {
  calibrateThreshold,
  CROSS_VALIDATION_FOLDS,
  CROSS_VALIDATION_MAX_EXAMPLES,
  heldOutFolds,
  heldOutIndices,
  MIN_CALIBRATION_ASSIGNMENTS,
  TARGET_PRECISION,
  wilsonLowerBound,
  type HeldOutPrediction,
} from '@docuvault/documents/classification/model/calibration';
import { seededRandom } from '@docuvault/documents/classification/model/random';
import { CORPUS_TOPICS, generateCorpus, splitCorpus } from '../../fixtures/corpus.ts';

const TOPICS = Object.keys(CORPUS_TOPICS);
const asExample = (d: { title: string; text: string; topic: string }) => ({
  text: `${d.title}\n${d.text}`,
  topicIds: [d.topic],
});
const prediction = (probability: number, right: boolean): HeldOutPrediction => ({
  topicId: 'a',
  probability,
  truth: [right ? 'a' : 'b'],
});

describe('the assignment threshold', () => {
  it('claims little from a small sample: five of five right is not yet 80 % for sure', () => {
    expect(wilsonLowerBound(5, 5)).toBeLessThan(TARGET_PRECISION);
    expect(wilsonLowerBound(100, 100)).toBeGreaterThan(0.95);
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });

  it('is the lowest probability above which held-out assignments were precise enough', () => {
    const confident = Array.from({ length: 40 }, (_, i) => prediction(0.99 - i * 0.01, true));
    const unsure = Array.from({ length: 20 }, (_, i) => prediction(0.5 - i * 0.01, i % 2 === 0));
    const threshold = calibrateThreshold([...unsure, ...confident]);
    expect(threshold).not.toBeNull();
    expect(threshold!).toBeGreaterThan(0.3);
    expect(threshold!).toBeLessThanOrEqual(0.6);
  });

  it('is null (suggest only) with too few held-out examples or too many mistakes', () => {
    const few = Array.from({ length: MIN_CALIBRATION_ASSIGNMENTS - 1 }, () => prediction(0.9, true));
    expect(calibrateThreshold(few)).toBeNull();
    const wrong = Array.from({ length: 50 }, (_, i) => prediction(0.9 - i * 0.01, i % 3 !== 0));
    expect(calibrateThreshold(wrong)).toBeNull();
  });

  it('holds out a seeded fifth of each topic, none of a topic with fewer than three', () => {
    const topics = [...Array<string>(10).fill('a'), ...Array<string>(2).fill('b')];
    const held = heldOutIndices(topics, 1);
    expect([...held].map((i) => topics[i])).toEqual(['a', 'a']);
    expect(heldOutIndices(topics, 1)).toEqual(held);
  });

  it('holds every example of a small training out once, each fold a share of every topic', () => {
    const topics = [...Array<string>(20).fill('a'), ...Array<string>(12).fill('b'), 'c', 'c'];
    const folds = heldOutFolds(topics, 3);
    expect(folds).toHaveLength(CROSS_VALIDATION_FOLDS);
    const all = folds.flatMap((fold) => [...fold]);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    for (const fold of folds) {
      const own = [...fold].map((i) => topics[i]);
      expect(own.filter((topic) => topic === 'a')).toHaveLength(4);
      expect(own.filter((topic) => topic === 'b').length).toBeGreaterThanOrEqual(2);
    }
    expect(heldOutFolds(topics, 3)).toEqual(folds);
  });

  it('holds out a single fifth beyond the cross-validation limit', () => {
    const topics = Array.from({ length: CROSS_VALIDATION_MAX_EXAMPLES + 1 }, (_, i) => `t${i % 4}`);
    const folds = heldOutFolds(topics, 3);
    expect(folds).toEqual([heldOutIndices(topics, 3)]);
  });

  it('keeps its precision on a split that neither training nor calibration saw', async () => {
    const { train, test } = splitCorpus(generateCorpus(50));
    const model = await trainAutoClassifier(train.map(asExample), TOPICS);
    expect(model.threshold).not.toBeNull();
    for (const topic of model.topics) {
      expect(topic.heldOut).toBeGreaterThan(0);
      expect(topic.heldOutAccuracy).toBeGreaterThanOrEqual(0);
    }
    const classifier = loadAutoClassifier(model);
    const assigned = test
      .map((d) => ({ d, topics: classifier.predict(`${d.title}\n${d.text}`) }))
      .filter(({ topics }) => topics.length > 0);
    const right = assigned.filter(({ d, topics }) => topics[0]!.topicId === d.topic).length;
    process.stdout.write(
      `calibrated threshold ${model.threshold}: coverage ${assigned.length}/${test.length}, precision ${right}/${assigned.length}\n`,
    );
    expect(assigned.length / test.length).toBeGreaterThanOrEqual(0.5);
    expect(right / assigned.length).toBeGreaterThanOrEqual(TARGET_PRECISION);
  });
});

/** Documents of `topics` separable by words: each draws five of its topic's own words and two shared ones. */
function separable(topics: readonly string[], perTopic: number, seed: number) {
  const random = seededRandom(seed);
  const pick = (words: readonly string[]) => words[Math.floor(random() * words.length)]!;
  const shared = ['report', 'page', 'note', 'summary', 'draft'];
  return topics.flatMap((topic) => {
    const own = Array.from({ length: 8 }, (_, i) => `${topic}word${String.fromCharCode(97 + i)}`);
    return Array.from({ length: perTopic }, () => ({
      text: [...Array.from({ length: 5 }, () => pick(own)), pick(shared), pick(shared)].join(' '),
      topicIds: [topic],
    }));
  });
}

describe('a small training on separable topics', () => {
  const topics = ['alpha', 'bravo', 'charlie', 'delta'];

  it('ranks every unseen document right, with probabilities that sum to one, and assigns it', async () => {
    // 10 per topic: a held-out fifth (8 examples) could not claim 80 % precision; every example held out once can.
    const model = await trainAutoClassifier(separable(topics, 10, 1), topics);
    expect(model.threshold).not.toBeNull();
    expect(model.topics.every((topic) => topic.heldOut === 10 && topic.heldOutAccuracy === 1)).toBe(true);
    const classifier = loadAutoClassifier(model);
    for (const document of separable(topics, 5, 2)) {
      const ranked = classifier.rank(document.text);
      expect(ranked[0]!.topicId).toBe(document.topicIds[0]);
      expect(ranked.reduce((sum, topic) => sum + topic.probability, 0)).toBeCloseTo(1, 3);
      expect(classifier.predict(document.text).map((topic) => topic.topicId)).toEqual(document.topicIds);
    }
  });

  it('trains the same model from the same labels', async () => {
    const examples = separable(topics, 10, 1);
    expect(await trainAutoClassifier(examples, topics)).toEqual(await trainAutoClassifier(examples, topics));
  });
});
