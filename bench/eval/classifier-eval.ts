import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpora, type Corpus, type LabelledText } from './corpora.ts';
import {
  DEFAULT_SEED_COUNT,
  majorityLabel,
  score,
  splitCorpus,
  splitSeeds,
  trainingSet,
  TRAINING_SIZES,
  validationSplit,
  type Split,
} from './metrics.ts';
import { trainNaiveBayes } from './naive-bayes.ts';
import { render, type CorpusInfo, type SeedRow } from './render.ts';
import { trainLikeTheWorker, type WorkerModel } from './worker-path.ts';

// `npm run eval:classifier`: the auto-classifier against a textbook naive Bayes and the
// majority class on public labelled text (bench/eval/corpora.ts), per corpus and for 5, 20
// and 120 labelled documents per topic, on S fixed split seeds (default 5; `--seeds=N`).
// Every method is trained and scored on the identical split of each seed, so the model − NB
// differences are paired. The tables go to stdout and to bench/results/classifier-eval.md.
// Not a timed test: speed is in `npm run bench`.

const RESULTS = path.join(import.meta.dirname, '..', 'results', 'classifier-eval.md');

const percent = (value: number) => (100 * value).toFixed(1);

async function evaluate(split: Split, perTopic: number): Promise<Omit<SeedRow, 'corpus' | 'seed'>> {
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

/** One corpus on every seed and size; seeds outside, so a stopped run leaves whole seeds. */
async function evaluateCorpus(corpus: Corpus, seeds: ReturnType<typeof splitSeeds>, sizes: number[]) {
  const rows: SeedRow[] = [];
  let testDocuments = 0;
  for (const { index, seed } of seeds) {
    const full = splitCorpus(corpus.documents, seed);
    const split = validation ? validationSplit(full) : full;
    testDocuments = split.test.length;
    for (const perTopic of sizes) {
      const started = performance.now();
      const row = { corpus: corpus.name, seed: index, ...(await evaluate(split, perTopic)) };
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      process.stderr.write(
        `[eval] ${corpus.name} seed ${index} ${perTopic}/topic: acc@1 ${percent(row.model.accuracy)} ` +
          `(NB ${percent(row.naiveBayes.accuracy)}, model − NB ${(100 * (row.model.accuracy - row.naiveBayes.accuracy)).toFixed(1)}) ` +
          `macro-F1 ${percent(row.model.macroF1)} (NB ${percent(row.naiveBayes.macroF1)}) coverage ${percent(row.coverage)} ` +
          `precision ${percent(row.precision)} ${seconds} s\n`,
      );
      rows.push(row);
    }
  }
  const info: CorpusInfo = {
    name: corpus.name,
    description: corpus.description,
    documents: corpus.documents.length,
    topics: new Set(corpus.documents.map((document) => document.label)).size,
    testDocuments,
  };
  return { info, rows };
}

/**
 * `--corpus=<name>`, `--sizes=5,20`, `--seeds=N`, `--from=M` (seeds M … N − 1 only, e.g. splits no
 * earlier choice looked at): a part of the table while iterating; such runs write no file.
 */
const option = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const validation = process.argv.includes('--validation');
const onlyCorpus = option('corpus');
const sizes = option('sizes')?.split(',').map(Number) ?? [...TRAINING_SIZES];
const seedCount = Number(option('seeds') ?? DEFAULT_SEED_COUNT);
const firstSeed = Number(option('from') ?? 0);
const seeds = splitSeeds(seedCount).slice(firstSeed);
const partial =
  onlyCorpus !== undefined ||
  sizes.length !== TRAINING_SIZES.length ||
  seedCount !== DEFAULT_SEED_COUNT ||
  firstSeed !== 0;
const corpora = loadCorpora().filter((corpus) => onlyCorpus === undefined || corpus.name === onlyCorpus);
const runStarted = performance.now();
const results = [];
for (const corpus of corpora) results.push(await evaluateCorpus(corpus, seeds, sizes));
const wallSeconds = (performance.now() - runStarted) / 1000;
process.stderr.write(`[eval] wall time ${wallSeconds.toFixed(0)} s\n`);
const { MODEL_NAME } = await import('./worker-path.ts');
const report = render({
  corpora: results.map((result) => result.info),
  rows: results.flatMap((result) => result.rows),
  seedCount,
  sizes,
  modelName: MODEL_NAME,
  validation,
  wallSeconds,
});
process.stdout.write(report);
// Validation runs choose between candidates; only the full test split's table is the committed result.
if (!validation && !partial) writeFileSync(RESULTS, report);
