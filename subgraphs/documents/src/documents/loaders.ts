import type { DocumentsContext } from '../context.ts';
import { createRequestLoader, type RequestLoader } from './request-loader.ts';
import {
  findDocumentsByIds,
  findTopicsOfDocuments,
  type DocumentRecord,
  type DocumentTopicRecord,
} from './documents.repository.ts';
import { vaultOf } from './vault.ts';

export interface DocumentLoaders {
  /** By id, within the vault; null when absent. Serves `document(id)` and `_entities`. */
  readonly document: RequestLoader<string, DocumentRecord | null>;
  /** The topics of a document; serves `Document.topics` for a whole page at once. */
  readonly topics: RequestLoader<string, readonly DocumentTopicRecord[]>;
}

const NO_TOPICS: readonly DocumentTopicRecord[] = Object.freeze([]);

// Keyed by the request's context object: one set of loaders per request, dropped with it.
const perRequest = new WeakMap<DocumentsContext, DocumentLoaders>();

export function documentLoaders(context: DocumentsContext): DocumentLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) {
    const { em, owner } = vaultOf(context);
    loaders = {
      document: createRequestLoader((ids) => findDocumentsByIds(em, owner, ids), null),
      topics: createRequestLoader((ids) => findTopicsOfDocuments(em, ids), NO_TOPICS),
    };
    perRequest.set(context, loaders);
  }
  return loaders;
}
