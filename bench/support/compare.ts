import { check, DURATION_S, once, warm, type LoadOptions, type LoadResult } from './load.ts';

// Throughput comparisons on a shared, noisy 2-core machine. One run of each side is not
// a figure: between two runs of the same side the spread was as large as the gap being
// measured (issue 17, item 9). So every side is checked and warmed, then measured in
// interleaved rounds (A, B, C, A, B, C, …), and the report gives each side's median and
// range over the rounds, and the ratio *per round*: A and B of one round ran seconds
// apart under about the same foreign load, so their ratio is steadier than the ratio of
// two medians taken minutes apart.

/** Measured rounds per comparison (BENCH_ROUNDS); odd, so the median is one round. */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

export interface Side {
  /** Every round, in order. */
  readonly rounds: LoadResult[];
  /** The round with the median req/s (its latencies and CPU with it). */
  readonly median: LoadResult;
  readonly min: number;
  readonly max: number;
}

export interface Ratio {
  /** The side's figure divided by the reference's (req/s, or p99), per round. */
  readonly perRound: number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

function sideOf(rounds: LoadResult[]): Side {
  const byRps = [...rounds].sort((a, b) => a.rps - b.rps);
  return {
    rounds,
    median: byRps[Math.floor((byRps.length - 1) / 2)]!,
    min: byRps[0]!.rps,
    max: byRps.at(-1)!.rps,
  };
}

/** `figure` of `side` over `figure` of `reference`, per round (same round, so same conditions). */
function perRoundRatio(side: Side, reference: Side, figure: (round: LoadResult) => number): Ratio {
  const perRound = side.rounds.map((round, i) => figure(round) / figure(reference.rounds[i]!));
  return { perRound, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound) };
}

/** The per-round ratio of `side`'s req/s to `reference`'s. */
export const ratioOf = (side: Side, reference: Side): Ratio => perRoundRatio(side, reference, (r) => r.rps);

/** The per-round ratio of `side`'s p99 latency to `reference`'s. */
export const p99RatioOf = (side: Side, reference: Side): Ratio =>
  perRoundRatio(side, reference, (r) => r.p99);

/**
 * Measures every side in `sides` in ROUNDS interleaved rounds, after a check and a
 * warm-up of each. Answers one Side per option, in the same order.
 */
export async function compareLoads(sides: LoadOptions[], rounds = Math.max(1, ROUNDS)): Promise<Side[]> {
  for (const side of sides) await check(side);
  for (const side of sides) await warm(side);
  const measured: LoadResult[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) {
      measured[i]!.push(await once(side, side.durationS ?? DURATION_S));
    }
  }
  return measured.map(sideOf);
}
