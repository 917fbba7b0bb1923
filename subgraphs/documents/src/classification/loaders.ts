import type { DocumentsContext } from '../context.ts';
import { createRequestLoader, type RequestLoader } from '../documents/request-loader.ts';
import { findClassificationDetails, type ClassificationDetails } from './details.repository.ts';

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
