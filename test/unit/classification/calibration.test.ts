import { describe, expect, it } from '@jest/globals';
import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '@docuvault/documents/classification/model/auto-classifier';
import {
  calibrateThreshold,
  heldOutIndices,
  MIN_CALIBRATION_ASSIGNMENTS,
  TARGET_PRECISION,
  wilsonLowerBound,
  type HeldOutPrediction,
} from '@docuvault/documents/classification/model/calibration';
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
