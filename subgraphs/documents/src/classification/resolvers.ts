import type { DocumentsContext } from '../context.ts';
import { documentLoaders } from '../documents/loaders.ts';
import { vaultOf } from '../documents/vault.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { classifierStatus, reclassifyAll, reclassifyDocument } from './classification.service.ts';
import { classificationDetails, classifierQualityOf as qualityOf, topicSuggestions } from './loaders.ts';
import { MIN_EXAMPLES_PER_TOPIC } from './model/auto-classifier.ts';

/**
 * What Document.classification hands to the Classification fields: they load what they need
 * (the Classification type's parent in codegen.ts).
 */
export interface ClassificationParent {
  documentId: string;
}

export const TITLE_ONLY_NOTE =
  'No text could be read from the file (a scan or image without OCR, or an empty file): it was classified from its title alone.';

const details = (parent: ClassificationParent, context: DocumentsContext) =>
  classificationDetails(context).load(parent.documentId);

export const classificationResolvers: Resolvers = {
  Query: {
    classifierStatus: (_, _args, context) => classifierStatus(vaultOf(context)),
  },
  ClassifierStatus: {
    // Loaded only when asked for: they read the topics and the live model's calibration.
    assignmentThreshold: async (_, _args, context) => (await qualityOf(context)).assignmentThreshold,
    minimumExamples: () => MIN_EXAMPLES_PER_TOPIC,
    byTopic: async (_, _args, context) => (await qualityOf(context)).byTopic,
  },
  Mutation: {
    reclassifyDocument: (_, args, context) =>
      reclassifyDocument(vaultOf(context), context.queue, args.id, context.requestId),
    reclassifyAll: (_, args, context) =>
      reclassifyAll(vaultOf(context), context.queue, args.filter, context.requestId),
  },
  Document: {
    classification: (document) => ({ documentId: document.id }),
    suggestedTopics: (document, _, context) => topicSuggestions(context).load(document.id),
  },
  Classification: {
    topics: (parent, _, context) => documentLoaders(context).topics.load(parent.documentId),
    explanation: async (parent, _, context) => (await details(parent, context)).explanation,
    modelTrainedAt: async (parent, _, context) => (await details(parent, context)).modelTrainedAt,
    note: async (parent, _, context) => ((await details(parent, context)).titleOnly ? TITLE_ONLY_NOTE : null),
  },
};
