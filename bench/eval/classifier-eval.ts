import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpora, type Corpus, type LabelledText } from './corpora.ts';
import {
  majorityLabel,
  score,
  splitCorpus,
  trainingSet,
  TRAINING_SIZES,
  validationSplit,
  type Scores,
  type Split,
} from './metrics.ts';
import { trainNaiveBayes } from './naive-bayes.ts';
import { trainLikeTheWorker, type WorkerModel } from './worker-path.ts';

// `npm run eval:classifier`: the auto-classifier against a textbook naive Bayes and the
// majority class on public labelled text (bench/eval/corpora.ts), per corpus and for 5, 20
// and 120 labelled documents per topic, on fixed-seed splits. The table goes to stdout and
// to bench/results/classifier-eval.md. Not a timed test: speed is in `npm run bench`.

const RESULTS = path.join(import.meta.dirname, '..', 'results', 'classifier-eval.md');

interface Row {
  corpus: string;
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

const percent = (value: number) => (100 * value).toFixed(1);

async function evaluate(corpus: Corpus, split: Split, perTopic: number): Promise<Row> {
  const training = trainingSet(split, perTopic);
  const truth = split.test.map((document) => document.label);
  const model: WorkerModel = await trainLikeTheWorker(training, split.labels);
  const ranked = split.test.map((document) => model.rank(document));
  const assigned = split.test.map((document) => model.assigned(document));
  const given = assigned.filter((label) => label !== null).length;
  const right = assigned.filter((label, i) => label !== null && label === truth[i]).length;
  const bayes = trainNaiveBayes(training.map(asText));
  const majority = majorityLabel(training);
  return {
    corpus: corpus.name,
    perTopic,
    model: score(truth, ranked, split.labels),
    naiveBayes: score(
      truth,
      split.test.map((document) => bayes.rank(asText(document).text)[0]!.label),
      split.labels,
    ),
    majority: score(
      truth,
      truth.map(() => majority),
      split.labels,
    ),
    coverage: given / truth.length,
    precision: given === 0 ? 0 : right / given,
    threshold: model.threshold,
    blend: model.blend,
  };
}

/** What naive Bayes reads: the same title-and-text the worker gives the model. */
const asText = (document: LabelledText) => ({
  text: `${document.title}\n${document.text}`,
  label: document.label,
});

function render(corpora: Corpus[], splits: Split[], rows: Row[], modelName: string): string {
  const lines = [
    '# Classifier evaluation (`npm run eval:classifier`)',
    '',
    `Model: ${modelName}, trained and applied through the worker's code path. accuracy@1 is the top-ranked topic; ` +
      'macro-F1 averages the per-topic F1 of that top topic. Coverage is the share of test documents that got an ' +
      'automatic topic under the model’s assignment threshold, precision the share of ' +
      'those that were right.',
    '',
  ];
  corpora.forEach((corpus, i) => {
    const split = splits[i]!;
    lines.push(
      `- **${corpus.name}**: ${corpus.description}; ${corpus.documents.length} documents after de-duplication, ` +
        `${split.labels.length} topics, ${split.test.length} test documents.`,
    );
  });
  lines.push(
    '',
    '| corpus | per topic | model acc@1 | model macro-F1 | NB acc@1 | NB macro-F1 | majority acc@1 | majority macro-F1 | model − NB (acc@1) | CNB weight | threshold | coverage | precision |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of rows) {
    lines.push(
      `| ${row.corpus} | ${row.perTopic} | ${percent(row.model.accuracy)} | ${percent(row.model.macroF1)} | ` +
        `${percent(row.naiveBayes.accuracy)} | ${percent(row.naiveBayes.macroF1)} | ${percent(row.majority.accuracy)} | ` +
        `${percent(row.majority.macroF1)} | ${(100 * (row.model.accuracy - row.naiveBayes.accuracy)).toFixed(1)} | ` +
        `${row.blend} | ${row.threshold === null ? 'none' : row.threshold.toFixed(2)} | ${percent(row.coverage)} | ${percent(row.precision)} |`,
    );
  }
  lines.push(
    '',
    'Figures in percent. Splits are seeded (bench/eval/metrics.ts), so a re-run prints the same table on the same ' +
      'corpora; debian-manpages follows the packages installed, so compare its document count first. CNB weight: ' +
      'complement naive Bayes’ weight in the blend, chosen by the training on its held-out labels. Candidates are ' +
      'compared with `npm run eval:classifier -- --validation` (training-pool documents no training set uses), ' +
      'not on this table.',
    '',
  );
  return lines.join('\n');
}

/** `--corpus=<name>` and `--sizes=5,20`: a part of the table while iterating; such runs write no file. */
const option = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const validation = process.argv.includes('--validation');
const onlyCorpus = option('corpus');
const sizes = option('sizes')?.split(',').map(Number) ?? [...TRAINING_SIZES];
const partial = onlyCorpus !== undefined || sizes.length !== TRAINING_SIZES.length;
const corpora = loadCorpora().filter((corpus) => onlyCorpus === undefined || corpus.name === onlyCorpus);
const splits = corpora.map((corpus) =>
  validation ? validationSplit(splitCorpus(corpus.documents)) : splitCorpus(corpus.documents),
);
const rows: Row[] = [];
for (const [i, corpus] of corpora.entries()) {
  for (const perTopic of sizes) {
    const row = await evaluate(corpus, splits[i]!, perTopic);
    process.stderr.write(
      `[eval] ${corpus.name} ${perTopic}/topic: acc@1 ${percent(row.model.accuracy)} (NB ${percent(row.naiveBayes.accuracy)})\n`,
    );
    rows.push(row);
  }
}
const { MODEL_NAME } = await import('./worker-path.ts');
const report = render(corpora, splits, rows, MODEL_NAME);
process.stdout.write(report);
// Validation runs choose between candidates; only the full test split's table is the committed result.
if (!validation && !partial) writeFileSync(RESULTS, report);
