import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '../../subgraphs/documents/src/classification/model/auto-classifier.ts';
import { DocumentText } from '../../subgraphs/documents/src/classification/rules/tokens.ts';
import { trainingExample } from '../../subgraphs/documents/src/classification/training.service.ts';
import type { LabelledText } from './corpora.ts';

// The model as the worker trains and applies it: labelled documents become training examples
// as training.service.ts makes them, the model goes through JSON as it does through
// classifier_models, and documents are read as classify.ts reads them.

export const MODEL_NAME = 'one-vs-rest logistic regression on TF-IDF words (0.5 per topic)';

export interface WorkerModel {
  threshold: number;
  /** The top-ranked topic, whether or not it passes the threshold. */
  rank(document: LabelledText): string | null;
  /** The topic the worker would assign automatically, or null. */
  assigned(document: LabelledText): string | null;
}

export async function trainLikeTheWorker(
  training: readonly LabelledText[],
  labels: readonly string[],
): Promise<WorkerModel> {
  const examples = training.map((document) =>
    trainingExample({ title: document.title, text: document.text, topicIds: [document.label] }),
  );
  const stored = JSON.parse(JSON.stringify(await trainAutoClassifier(examples, labels))) as Parameters<
    typeof loadAutoClassifier
  >[0];
  const classifier = loadAutoClassifier(stored);
  const top = (document: LabelledText) =>
    classifier.predict(new DocumentText(document.title, document.text).raw)[0]?.topicId ?? null;
  // The one-vs-rest model ranks only the topics that pass its fixed threshold.
  return { threshold: 0.5, rank: top, assigned: top };
}
