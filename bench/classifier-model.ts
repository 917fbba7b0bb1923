import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '../subgraphs/documents/src/classification/model/auto-classifier.ts';
import { seededRandom } from '../subgraphs/documents/src/classification/model/random.ts';
import { wordVectors } from '../subgraphs/documents/src/classification/model/word-vectors.ts';
import { trainingExample } from '../subgraphs/documents/src/classification/training.service.ts';
import { manPagesCorpus, type LabelledText } from './eval/corpora.ts';
import { trainNaiveBayes } from './eval/naive-bayes.ts';
import type { Row } from './support/report.ts';

// The auto-classifier's own cost, in this process on one core: training on 10 000 labelled
// documents (Debian manual pages, up to 2 000 characters each, 6 topics; calibration's probe
// training included, as the worker runs it) and prediction per document, each beside a
// textbook multinomial naive Bayes on the same documents in the same run. Figures are CPU
// time (process.cpuUsage), so a busy machine does not inflate them; training is single-threaded.

const TRAINING_DOCUMENTS = Number(process.env.BENCH_CLASSIFIER_DOCUMENTS ?? 10_000);
const PREDICTIONS = 1_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * CPU time of this process in ms, not wall time: on a machine shared with other work the
 * wall clock measures the queue for the core; CPU time of one thread is what an idle core takes.
 */
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

export async function measureClassifierModel(): Promise<{ rows: Row[]; notes: string[] }> {
  // Seeded order: the corpus comes grouped by section.
  const random = seededRandom(11);
  const corpus = manPagesCorpus()
    .documents.map((document) => ({ document, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ document }) => document);
  const training = corpus.slice(0, TRAINING_DOCUMENTS);
  const probe: LabelledText[] = corpus.slice(TRAINING_DOCUMENTS, TRAINING_DOCUMENTS + PREDICTIONS);
  const labels = [...new Set(training.map((document) => document.label))].sort();
  const examples = training.map((document) =>
    trainingExample({ title: document.title, text: document.text, topicIds: [document.label] }),
  );
  // Once per process (the worker reads them at start), not once per training: measured apart.
  let started = cpuMs();
  wordVectors();
  const vectorsMs = cpuMs() - started;
  started = cpuMs();
  const model = await trainAutoClassifier(examples, labels);
  const trainingMs = cpuMs() - started;
  started = cpuMs();
  const bayes = trainNaiveBayes(
    examples.map((example) => ({ text: example.text, label: example.topicIds[0]! })),
  );
  const bayesTrainingMs = cpuMs() - started;
  const classifier = loadAutoClassifier(JSON.parse(JSON.stringify(model)) as typeof model);
  const texts = probe.map((document) => trainingExample({ ...document, topicIds: [] }).text);
  started = cpuMs();
  for (const text of texts) classifier.rank(text, 3);
  const predictMs = (cpuMs() - started) / texts.length;
  started = cpuMs();
  for (const text of texts) bayes.rank(text);
  const bayesPredictMs = (cpuMs() - started) / texts.length;
  const sizeBytes = Buffer.byteLength(JSON.stringify(model));
  return {
    rows: [
      {
        scenario: `classifier training: ${training.length} labelled documents, ${labels.length} topics, one core`,
        measured: seconds(trainingMs),
        reference: `naive Bayes on the same: ${seconds(bayesTrainingMs)}`,
        ratio: `${(trainingMs / bayesTrainingMs).toFixed(1)}×`,
        target: '< 10 s',
        met: trainingMs < 10_000,
      },
      {
        scenario: 'classifier prediction per document (ranked topics with their terms)',
        measured: `${predictMs.toFixed(3)} ms`,
        reference: `naive Bayes: ${bayesPredictMs.toFixed(3)} ms`,
        ratio: `${(predictMs / bayesPredictMs).toFixed(1)}×`,
        target: '< 2 ms',
        met: predictMs < 2,
      },
    ],
    notes: [
      `classifier model: ${model.terms.length} terms, stored model ${(sizeBytes / 1024 / 1024).toFixed(1)} MiB of JSON, ` +
        `calibrated threshold ${model.threshold ?? 'none'}; corpus: Debian manual pages (bench/eval/corpora.ts); ` +
        `word vectors read once per process before training: ${seconds(vectorsMs)} of CPU.`,
    ],
  };
}

// Alone: `node bench/classifier-model.ts` prints the rows (no services needed).
if (process.argv[1] === import.meta.filename) {
  const { rows, notes } = await measureClassifierModel();
  for (const row of rows)
    process.stdout.write(
      `${row.scenario}: ${row.measured} (${row.reference}, ${row.ratio}) target ${row.target}\n`,
    );
  process.stdout.write(`${notes.join('\n')}\n`);
}
