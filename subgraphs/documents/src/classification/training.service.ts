import type { Logger } from '@docuvault/shared/logging/logger';
import type { EntityManager } from '@mikro-orm/postgresql';
import { trainAutoClassifier, type TrainingExample } from './model/auto-classifier.ts';
import { DocumentText } from './rules/tokens.ts';
import {
  currentFingerprint,
  findAutoTopicIds,
  findLabelledDocuments,
  insertModel,
  type LabelledDocument,
  type ModelHeader,
} from './training.repository.ts';

/** Labelled documents one training reads at most (newest first): bounds time and memory. */
export const MAX_TRAINING_DOCUMENTS = 5_000;

export interface TrainingResult extends ModelHeader {
  sizeBytes: number;
  trainingMs: number;
}

/** What the model learns from a labelled document: its title and text, as classify.ts reads them. */
export function trainingExample(
  document: Pick<LabelledDocument, 'title' | 'text' | 'topicIds'>,
): TrainingExample {
  return { text: new DocumentText(document.title, document.text).raw, topicIds: document.topicIds };
}

/**
 * Trains the vault's auto-classifier from its hand-set topics and stores it as the live
 * model. A model is stored even when no topic could be learned: it records that the
 * current labels were looked at, so the label check does not ask again.
 */
export async function retrainClassifier(
  em: EntityManager,
  owner: string | null,
  logger: Logger,
): Promise<TrainingResult> {
  // Read before the examples: if labels change meanwhile, the stored fingerprint is the
  // older one and the next check retrains again, never the other way round.
  const labelsFingerprint = await currentFingerprint(em, owner);
  const documents = await findLabelledDocuments(em, owner, MAX_TRAINING_DOCUMENTS);
  const autoTopicIds = await findAutoTopicIds(em, owner);
  const started = performance.now();
  const model = await trainAutoClassifier(documents.map(trainingExample), autoTopicIds);
  const trainingMs = Math.round(performance.now() - started);
  const json = JSON.stringify(model);
  const sizeBytes = Buffer.byteLength(json, 'utf8');
  const header = await insertModel(em, owner, json, {
    documentsUsed: documents.length,
    topics: model.topics.length,
    sizeBytes,
    trainingMs,
    labelsFingerprint,
  });
  logger.info(
    { owner, documentsUsed: documents.length, topics: model.topics.length, sizeBytes, trainingMs },
    'classifier trained',
  );
  return { ...header, sizeBytes, trainingMs };
}
