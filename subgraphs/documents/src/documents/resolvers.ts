import { announceDocumentsDeleted } from '@docuvault/shared/queue/document-events';
import { selectsField } from '@docuvault/shared/graphql/selects-field';
import type { DocumentsContext } from '../context.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { deleteDocument, updateDocument } from './document-edits.service.ts';
import { listDocuments, searchDocuments, type DocumentPage } from './documents.service.ts';
import { parseId } from './input.ts';
import { documentLoaders } from './loaders.ts';
import { vaultOf } from './vault.ts';

/** The rows of a page are also what `document(id)` would load: later lookups reuse them. */
function remember(context: DocumentsContext, page: DocumentPage): DocumentPage {
  const { document } = documentLoaders(context);
  for (const edge of page.edges) document.prime(edge.document.id, edge.document);
  return page;
}

export const documentResolvers: Resolvers = {
  Query: {
    document: (_, args, context) => documentLoaders(context).document.load(parseId(args.id, 'id')),
    documents: async (_, args, context) =>
      remember(context, await listDocuments(vaultOf(context), args.filter, args.first, args.after)),
    search: async (_, args, context, info) =>
      remember(
        context,
        await searchDocuments(vaultOf(context), args.query, args.filter, args.first, args.after, {
          countAtOnce: selectsField(info, 'totalCount') || selectsField(info, 'totalCountIsExact'),
        }),
      ),
  },
  Mutation: {
    updateDocument: async (_, args, context) => {
      const document = await updateDocument(vaultOf(context), args.id, args.input);
      const loaders = documentLoaders(context);
      loaders.topics.clear(document.id);
      loaders.document.clear(document.id);
      loaders.document.prime(document.id, document);
      return document;
    },
    deleteDocument: async (_, args, context) => {
      const origin = { requestId: context.requestId, clientIp: context.clientIp };
      const deleted = await deleteDocument(vaultOf(context), context, origin, args.id);
      documentLoaders(context).document.clear(args.id.toLowerCase());
      // Stops a classification running on it; without Redis the job ends finding it gone.
      if (deleted)
        await announceDocumentsDeleted(context.redis, context.config.REDIS_PREFIX, [
          args.id.toLowerCase(),
        ]).catch((error: unknown) =>
          context.logger.warn({ err: error }, 'could not announce the deletion to the workers'),
        );
      return deleted;
    },
  },
  DocumentConnection: {
    edges: (page) => page.edges,
    pageInfo: (page) => ({
      hasNextPage: page.hasNextPage,
      endCursor: page.edges.at(-1)?.cursor ?? null,
    }),
    totalCount: (page) => page.totalCount(),
    totalCountIsExact: (page) => page.totalCountIsExact(),
  },
  DocumentEdge: {
    node: (edge) => edge.document,
    snippet: async (edge) => (await edge.highlights()).snippet,
    highlights: async (edge) => (await edge.highlights()).highlights,
  },
  Document: {
    // The gateway sends every representation of a plan step at once; the loader turns
    // them into one query.
    __resolveReference: (reference, context) =>
      documentLoaders(context).document.load(parseId(reference.id, 'id')),
    topics: (document, _, context) => documentLoaders(context).topics.load(document.id),
    // Read with the row (the document is already authorised): nothing more to load.
    textSource: (document) =>
      document.textSource === null
        ? null
        : {
            kind: document.textSource,
            textLayerPages: document.textLayerPages ?? 0,
            ocrPages: document.ocrPages ?? 0,
            skippedPages: document.skippedPages ?? 0,
            note: document.textNote,
          },
  },
};
