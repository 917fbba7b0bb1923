import { mean, meanPrecision, pairedSummary } from './aggregate.ts';
import type { Scores } from './metrics.ts';

// The Markdown that `npm run eval:classifier` prints and commits: a summary table over the
// split seeds (means, the paired model − NB difference with its range and 95 % interval),
// then every seed's own figures, so nothing the means hide is left out.

export interface SeedRow {
  corpus: string;
  /** 0 is the harness's original split (SPLIT_SEED), 1, 2, … the further seeds. */
  seed: number;
  perTopic: number;
  model: Scores;
  naiveBayes: Scores;
  majority: Scores;
  /** Share of test documents that got an automatic topic, and how many of those were right. */
  coverage: number;
  precision: number;
  threshold: number | null;
  blend: number;
}

export interface CorpusInfo {
  name: string;
  description: string;
  documents: number;
  topics: number;
  testDocuments: number;
}

export interface Report {
  corpora: CorpusInfo[];
  rows: SeedRow[];
  seedCount: number;
  sizes: number[];
  modelName: string;
  validation: boolean;
  wallSeconds: number;
}

const pct = (value: number) => (100 * value).toFixed(1);
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(100 * value).toFixed(1)}`;

function summaryLine(rows: SeedRow[], seedCount: number): string {
  const first = rows[0]!;
  const avg = (pick: (row: SeedRow) => number) => pct(mean(rows.map(pick)));
  const paired = pairedSummary(
    rows.map((row) => row.model.accuracy),
    rows.map((row) => row.naiveBayes.accuracy),
  );
  const interval = paired.interval
    ? `${signed(paired.interval.low)} to ${signed(paired.interval.high)}`
    : '—';
  const precision = meanPrecision(rows);
  const assigning = rows.filter((row) => row.coverage > 0).length;
  const precisionCell =
    precision === null
      ? '—'
      : `${pct(precision)}${assigning < rows.length ? ` (${assigning} of ${rows.length} seeds)` : ''}`;
  const seed0 = rows.find((row) => row.seed === 0);
  return (
    `| ${first.corpus} | ${first.perTopic} | ${rows.length === seedCount ? rows.length : `${rows.length} of ${seedCount}`} | ` +
    `${avg((row) => row.model.accuracy)} | ${avg((row) => row.model.macroF1)} | ` +
    `${avg((row) => row.naiveBayes.accuracy)} | ${avg((row) => row.naiveBayes.macroF1)} | ` +
    `${avg((row) => row.majority.accuracy)} | ${avg((row) => row.majority.macroF1)} | ` +
    `**${signed(paired.mean)}** | ${signed(paired.min)} to ${signed(paired.max)} | ${interval} | ` +
    `${seed0 ? signed(seed0.model.accuracy - seed0.naiveBayes.accuracy) : '—'} | ` +
    `${avg((row) => row.coverage)} | ${precisionCell} |`
  );
}

function perSeedLine(rows: SeedRow[], seedCount: number): string {
  const cells = Array.from({ length: seedCount }, (_, seed) => {
    const row = rows.find((candidate) => candidate.seed === seed);
    if (!row) return 'not run';
    const threshold = row.threshold === null ? 'none' : row.threshold.toFixed(2);
    return (
      `${signed(row.model.accuracy - row.naiveBayes.accuracy)} (${pct(row.model.accuracy)} / ${pct(row.naiveBayes.accuracy)}; ` +
      `w ${row.blend}, t ${threshold}, ${pct(row.coverage)} / ${row.coverage > 0 ? pct(row.precision) : '—'})`
    );
  });
  return `| ${rows[0]!.corpus} | ${rows[0]!.perTopic} | ${cells.join(' | ')} |`;
}

function groups(report: Report): SeedRow[][] {
  const out: SeedRow[][] = [];
  for (const corpus of report.corpora) {
    for (const perTopic of report.sizes) {
      const rows = report.rows.filter((row) => row.corpus === corpus.name && row.perTopic === perTopic);
      if (rows.length > 0) out.push(rows.sort((a, b) => a.seed - b.seed));
    }
  }
  return out;
}

export function render(report: Report): string {
  const { seedCount } = report;
  const scored = report.validation ? 'validation documents (not the test split)' : 'test documents';
  const lines = [
    '# Classifier evaluation (`npm run eval:classifier`)',
    '',
    `Model: ${report.modelName}, trained and applied through the worker's code path. accuracy@1 is the top-ranked ` +
      'topic; macro-F1 averages the per-topic F1 of that top topic. Coverage is the share of test documents that got an ' +
      'automatic topic under the model’s assignment threshold, precision the share of those that were right.',
    '',
    `**How the goal is judged: on the mean over ${seedCount} seeded splits.** Every figure below is measured on ` +
      `${seedCount} fixed split seeds per corpus and size; on each seed the model, multinomial naive Bayes and the ` +
      'majority class are trained on the identical training set and scored on the identical ' +
      `${scored}, so model − NB is a paired difference per seed. The goal (model − NB ≥ 5 points at 120 per topic, ` +
      '≥ 0 at 5 and 20) is judged on the **mean** paired difference over the seeds, because one test split of ' +
      '580–800 documents moves that difference by about ±2 points (ADR 0008, measurement). **Seed 0 is the single ' +
      'split the harness used alone before this change**; its model − NB is shown in its own column and every seed’s ' +
      'figures are in the second table, so the single-split figure stays visible. This way of judging was adopted after ' +
      'the third round of ADR 0008 had seen that other seeds favour the model on validation documents.',
    '',
  ];
  for (const corpus of report.corpora) {
    lines.push(
      `- **${corpus.name}**: ${corpus.description}; ${corpus.documents} documents after de-duplication, ` +
        `${corpus.topics} topics, ${corpus.testDocuments} ${report.validation ? 'validation' : 'test'} documents per seed.`,
    );
  }
  lines.push(
    '',
    `## Mean over the split seeds`,
    '',
    '| corpus | per topic | seeds | model acc@1 | model macro-F1 | NB acc@1 | NB macro-F1 | majority acc@1 | majority macro-F1 | model − NB (acc@1), mean | min to max | 95 % interval | seed 0 alone | coverage | precision |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...groups(report).map((rows) => summaryLine(rows, seedCount)),
    '',
    '## Every seed: model − NB (acc@1)',
    '',
    'Each cell: model − NB (model acc@1 / NB acc@1; w: complement naive Bayes’ weight in the blend, t: the ' +
      'calibrated threshold, coverage / precision of automatic assignments).',
    '',
    `| corpus | per topic | ${Array.from({ length: seedCount }, (_, seed) => `seed ${seed}${seed === 0 ? ' (old single split)' : ''}`).join(' | ')} |`,
    `| --- | ---: | ${Array.from({ length: seedCount }, () => '---:').join(' | ')} |`,
    ...groups(report).map((rows) => perSeedLine(rows, seedCount)),
    '',
    ...notes(report),
  );
  return lines.join('\n');
}

function notes(report: Report): string[] {
  return [
    'Figures in percent. Seed 0 is `SPLIT_SEED` (bench/eval/metrics.ts), seeds 1, 2, … are `splitCorpus(documents, 1)`, ' +
      '`(…, 2)`, …; each seed draws its own test documents (up to 100 per topic) and training pools, so a re-run ' +
      'prints the same tables on the same corpora; debian-manpages follows the packages installed, so compare its ' +
      'document count first. Means are over the seeds; precision is averaged over the seeds whose threshold assigned ' +
      'anything. The 95 % interval is mean ± t(0.975, S − 1) · s / √S over the per-seed paired differences; it treats ' +
      'the seeds as independent, but their splits draw from the same corpus and overlap, which makes it somewhat too ' +
      'narrow (Nadeau & Bengio 2003), so the min-to-max range is shown beside it. A mean that clears the goal while ' +
      'its interval reaches below the bar is a pass on the mean that these seeds do not confirm with 95 % confidence. ' +
      'The model’s settings were chosen on seed 0’s training pools (its validation documents and cross-validation; ' +
      'ADR 0008’s third round also scored seeds 1 and 2’s validation documents and changed nothing); other seeds can ' +
      'draw some of those documents as test documents, so seeds 1–4 are not wholly untouched by that choice, while no ' +
      'seed’s own test documents were used to tune anything. Candidates are compared with ' +
      '`npm run eval:classifier -- --validation` (training-pool documents no training set uses), not on these tables.',
    '',
    `Wall time of this run: ${(report.wallSeconds / 60).toFixed(1)} min (one process, \`nice -n 15\`, shared 2-core machine).`,
    '',
  ];
}
