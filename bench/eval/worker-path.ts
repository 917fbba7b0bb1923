import {
  loadAutoClassifier,
  trainAutoClassifier,
} from '../../subgraphs/documents/src/classification/model/auto-classifier.ts';
import { type StoredModel } from '../../subgraphs/documents/src/classification/model/stored-model.ts';
import { DocumentText } from '../../subgraphs/documents/src/classification/rules/tokens.ts';
import { trainingExample } from '../../subgraphs/documents/src/classification/training.service.ts';
import type { LabelledText } from './corpora.ts';

// The model as the worker trains and applies it: labelled documents become training examples
// as training.service.ts makes them, the model goes through JSON as it does through
// classifier_models, and documents are read as classify.ts reads them.

export const MODEL_NAME =
  'softmax logistic regression on TF-IDF words and character 3–5-grams of the first 32 distinct words ' +
  'plus the mean GloVe vector of its words (100 dimensions, weight 1), ' +
  'blended with complement naive Bayes on the same features by a weight chosen on held-out labels (0–2, ' +
  'scaled down past 20 words), threshold calibrated on held-out labels (the lowest top-topic probability whose ' +
  'held-out assignments are 80 % precise with 95 % confidence; up to 1 000 examples every example is held out ' +
  'once, by 5-fold cross-validation, beyond that a fifth)';

export interface WorkerModel {
  /** null: the model assigns nothing, it only suggests. */
  threshold: number | null;
  /** Complement naive Bayes' weight in the blend that training chose (0: the softmax model alone). */
  blend: number;
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
  const stored = JSON.parse(JSON.stringify(await trainAutoClassifier(examples, labels))) as StoredModel;
  const classifier = loadAutoClassifier(stored);
  const raw = (document: LabelledText) => new DocumentText(document.title, document.text).raw;
  return {
    threshold: classifier.threshold,
    blend: 'blend' in stored ? (stored.blend ?? 0) : 0,
    rank: (document) => classifier.rank(raw(document), 1)[0]?.topicId ?? null,
    assigned: (document) => classifier.predict(raw(document))[0]?.topicId ?? null,
  };
}
