// Summaries over split seeds for `npm run eval:classifier`. One test split of 800 documents
// moves accuracy@1 by about ±1.5 points (one standard error), and the model − NB difference
// on one split moved by 3 points between seeds (ADR 0008, third round), so the harness
// scores several seeded splits and summarises them here: the mean, the per-seed paired
// differences (model and NB are scored on the identical split), their range and a 95 %
// Student-t interval. Pure functions, so the arithmetic is unit-tested apart from training.

export const mean = (values: readonly number[]): number => {
  if (values.length === 0) throw new Error('mean of no values');
  return values.reduce((a, b) => a + b, 0) / values.length;
};

/** Sample standard deviation (n − 1 in the denominator); 0 for a single value. */
export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const centre = mean(values);
  const squares = values.reduce((sum, value) => sum + (value - centre) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

// Two-sided 95 % quantiles t(0.975, df) for df 1–30 (standard tables); beyond, the
// Cornish–Fisher expansion around the normal quantile is accurate to 1e-3.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const Z975 = 1.959964;

export function tQuantile975(degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new Error(`degrees of freedom must be a positive integer, got ${degreesOfFreedom}`);
  }
  if (degreesOfFreedom <= T975.length) return T975[degreesOfFreedom - 1]!;
  const z = Z975;
  const df = degreesOfFreedom;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export interface PairedSummary {
  /** a[i] − b[i] per seed, in seed order. */
  differences: number[];
  mean: number;
  min: number;
  max: number;
  /** 95 % interval of the mean difference, t with S − 1 df; null with a single seed. */
  interval: { low: number; high: number } | null;
}

/** Paired comparison of two methods scored on the same splits: a[i] and b[i] share seed i. */
export function pairedSummary(a: readonly number[], b: readonly number[]): PairedSummary {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`paired values need equal, non-zero lengths (got ${a.length} and ${b.length})`);
  }
  const differences = a.map((value, i) => value - b[i]!);
  const centre = mean(differences);
  const halfWidth =
    differences.length < 2
      ? null
      : (tQuantile975(differences.length - 1) * sampleStdDev(differences)) / Math.sqrt(differences.length);
  return {
    differences,
    mean: centre,
    min: Math.min(...differences),
    max: Math.max(...differences),
    interval: halfWidth === null ? null : { low: centre - halfWidth, high: centre + halfWidth },
  };
}

/**
 * Precision of automatic assignments averaged over the seeds that assigned anything (a seed
 * whose threshold assigns nothing has no precision, not a precision of 0); null when none did.
 */
export function meanPrecision(runs: readonly { coverage: number; precision: number }[]): number | null {
  const assigning = runs.filter((run) => run.coverage > 0);
  return assigning.length === 0 ? null : mean(assigning.map((run) => run.precision));
}
