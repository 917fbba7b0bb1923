import type { DocumentsContext } from '../context.ts';
import { createRequestLoader, type RequestLoader } from '../documents/request-loader.ts';
import { vaultOf } from '../documents/vault.ts';
import { findClassificationDetails, type ClassificationDetails } from './details.repository.ts';
import {
  classifierQuality,
  suggestTopics,
  type ClassifierQuality,
  type TopicSuggestion,
} from './suggestions.service.ts';

const NONE: ClassificationDetails = Object.freeze({
  explanation: [],
  modelTrainedAt: null,
  titleOnly: false,
});

// One loader per request (keyed by its context object), as the documents feature does.
const perRequest = new WeakMap<DocumentsContext, RequestLoader<string, ClassificationDetails>>();

/** The stored classification details of documents; a page of documents costs one round trip. */
export function classificationDetails(
  context: DocumentsContext,
): RequestLoader<string, ClassificationDetails> {
  let loader = perRequest.get(context);
  if (!loader) {
    loader = createRequestLoader((ids) => findClassificationDetails(context.em, ids), NONE);
    perRequest.set(context, loader);
  }
  return loader;
}

const NO_SUGGESTIONS: readonly TopicSuggestion[] = Object.freeze([]);
const suggestionsPerRequest = new WeakMap<
  DocumentsContext,
  RequestLoader<string, readonly TopicSuggestion[]>
>();

/** Suggested topics of documents in the caller's vault; a page of documents is one batch. */
export function topicSuggestions(
  context: DocumentsContext,
): RequestLoader<string, readonly TopicSuggestion[]> {
  let loader = suggestionsPerRequest.get(context);
  if (!loader) {
    loader = createRequestLoader(
      (ids) => suggestTopics(vaultOf(context), ids, context.logger),
      NO_SUGGESTIONS,
    );
    suggestionsPerRequest.set(context, loader);
  }
  return loader;
}

const qualityPerRequest = new WeakMap<DocumentsContext, Promise<ClassifierQuality>>();

/** classifierStatus's per-topic figures, read once per request however many fields ask. */
export function classifierQualityOf(context: DocumentsContext): Promise<ClassifierQuality> {
  let quality = qualityPerRequest.get(context);
  if (!quality) {
    quality = classifierQuality(vaultOf(context));
    qualityPerRequest.set(context, quality);
  }
  return quality;
}
