import { describe, expect, it } from '@jest/globals';
import {
  mean,
  meanPrecision,
  pairedSummary,
  sampleStdDev,
  tQuantile975,
} from '../../../bench/eval/aggregate.ts';
import { SPLIT_SEED, splitSeeds } from '../../../bench/eval/metrics.ts';

// The classifier harness judges its goal on the mean paired difference over split seeds;
// these are the numbers that judgement rests on, checked against hand-computed values.

describe('mean and sample standard deviation', () => {
  it('averages and uses n − 1', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    // deviations −2, −1, 0, 3: squares 4 + 1 + 0 + 9 = 14, / 3
    expect(sampleStdDev([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 12);
  });

  it('has no spread for one value and refuses to average nothing', () => {
    expect(sampleStdDev([0.7])).toBe(0);
    expect(() => mean([])).toThrow('mean of no values');
  });
});

describe('tQuantile975', () => {
  it('gives the tabled two-sided 95 % quantiles', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(4)).toBe(2.776);
    expect(tQuantile975(30)).toBe(2.042);
  });

  it('continues smoothly past the table toward the normal quantile', () => {
    // Published values: t(0.975, 40) = 2.021, t(0.975, 120) = 1.980.
    expect(tQuantile975(40)).toBeCloseTo(2.021, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 3);
    expect(tQuantile975(31)).toBeLessThan(tQuantile975(30));
  });

  it('refuses degrees of freedom that are not positive integers', () => {
    expect(() => tQuantile975(0)).toThrow('positive integer');
    expect(() => tQuantile975(2.5)).toThrow('positive integer');
  });
});

describe('pairedSummary', () => {
  it('pairs by seed and gives mean, range and the t interval with S − 1 df', () => {
    const model = [0.73, 0.76, 0.78, 0.75, 0.74];
    const bayes = [0.7, 0.7, 0.71, 0.7, 0.7];
    const summary = pairedSummary(model, bayes);
    const differences = [0.03, 0.06, 0.07, 0.05, 0.04];
    summary.differences.forEach((difference, i) => expect(difference).toBeCloseTo(differences[i]!, 12));
    expect(summary.mean).toBeCloseTo(0.05, 12);
    expect(summary.min).toBeCloseTo(0.03, 12);
    expect(summary.max).toBeCloseTo(0.07, 12);
    // deviations from 0.05: −2, +1, +2, 0, −1 (e-2); s = sqrt(10e-4 / 4) = 0.0158114, · 2.776 / √5 = 0.0196293
    expect(summary.interval!.low).toBeCloseTo(0.05 - 0.0196293, 6);
    expect(summary.interval!.high).toBeCloseTo(0.05 + 0.0196293, 6);
  });

  it('is not the difference of unpaired means when the seeds disagree in sign', () => {
    const summary = pairedSummary([0.5, 0.6], [0.52, 0.55]);
    expect(summary.differences[0]).toBeCloseTo(-0.02, 12);
    expect(summary.differences[1]).toBeCloseTo(0.05, 12);
    expect(summary.min).toBeLessThan(0);
    expect(summary.interval!.low).toBeLessThan(0);
    expect(summary.interval!.high).toBeGreaterThan(0.05);
  });

  it('has no interval for a single seed and refuses unpaired input', () => {
    expect(pairedSummary([0.8], [0.7]).interval).toBeNull();
    expect(() => pairedSummary([0.8, 0.7], [0.7])).toThrow('equal, non-zero lengths');
    expect(() => pairedSummary([], [])).toThrow('equal, non-zero lengths');
  });
});

describe('meanPrecision', () => {
  it('averages only the seeds that assigned anything', () => {
    const runs = [
      { coverage: 0, precision: 0 },
      { coverage: 0.8, precision: 0.8 },
      { coverage: 0.5, precision: 0.9 },
    ];
    expect(meanPrecision(runs)).toBeCloseTo(0.85, 12);
    expect(meanPrecision([{ coverage: 0, precision: 0 }])).toBeNull();
  });
});

describe('splitSeeds', () => {
  it('keeps the original split as seed 0 and numbers the rest from 1', () => {
    expect(splitSeeds(5)).toEqual([
      { index: 0, seed: SPLIT_SEED },
      { index: 1, seed: 1 },
      { index: 2, seed: 2 },
      { index: 3, seed: 3 },
      { index: 4, seed: 4 },
    ]);
    expect(() => splitSeeds(0)).toThrow('positive integer');
  });
});
