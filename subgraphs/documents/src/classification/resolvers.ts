import type { DocumentsContext } from '../context.ts';
import type { DocumentRecord } from '../documents/documents.repository.ts';
import type { DocumentFilterInput } from '../documents/documents.service.ts';
import { documentLoaders } from '../documents/loaders.ts';
import { vaultOf } from '../documents/vault.ts';
import { classifierStatus, reclassifyAll, reclassifyDocument } from './classification.service.ts';
import { classificationDetails, classifierQualityOf as qualityOf, topicSuggestions } from './loaders.ts';
import { MIN_EXAMPLES_PER_TOPIC } from './model/auto-classifier.ts';

/** What Document.classification hands to the Classification fields: they load what they need. */
interface ClassificationParent {
  documentId: string;
}

export const TITLE_ONLY_NOTE =
  'No text could be read from the file (a scan or image without OCR, or an empty file): it was classified from its title alone.';

const details = (parent: ClassificationParent, context: DocumentsContext) =>
  classificationDetails(context).load(parent.documentId);

export const classificationResolvers = {
  Query: {
    classifierStatus: (_: unknown, _args: unknown, context: DocumentsContext) =>
      classifierStatus(vaultOf(context)),
  },
  ClassifierStatus: {
    // Loaded only when asked for: they read the topics and the live model's calibration.
    assignmentThreshold: async (_: unknown, _args: unknown, context: DocumentsContext) =>
      (await qualityOf(context)).assignmentThreshold,
    minimumExamples: () => MIN_EXAMPLES_PER_TOPIC,
    byTopic: async (_: unknown, _args: unknown, context: DocumentsContext) =>
      (await qualityOf(context)).byTopic,
  },
  Mutation: {
    reclassifyDocument: (_: unknown, args: { id: string }, context: DocumentsContext) =>
      reclassifyDocument(vaultOf(context), context.queue, args.id, context.requestId),
    reclassifyAll: (_: unknown, args: { filter?: DocumentFilterInput | null }, context: DocumentsContext) =>
      reclassifyAll(vaultOf(context), context.queue, args.filter, context.requestId),
  },
  Document: {
    classification: (document: DocumentRecord): ClassificationParent => ({ documentId: document.id }),
    suggestedTopics: (document: DocumentRecord, _: unknown, context: DocumentsContext) =>
      topicSuggestions(context).load(document.id),
  },
  Classification: {
    topics: (parent: ClassificationParent, _: unknown, context: DocumentsContext) =>
      documentLoaders(context).topics.load(parent.documentId),
    explanation: async (parent: ClassificationParent, _: unknown, context: DocumentsContext) =>
      (await details(parent, context)).explanation,
    modelTrainedAt: async (parent: ClassificationParent, _: unknown, context: DocumentsContext) =>
      (await details(parent, context)).modelTrainedAt,
    note: async (parent: ClassificationParent, _: unknown, context: DocumentsContext) =>
      (await details(parent, context)).titleOnly ? TITLE_ONLY_NOTE : null,
  },
};
