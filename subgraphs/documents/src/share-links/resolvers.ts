import { selectsField } from '@docuvault/shared/graphql/selects-field';
import type { DocumentsContext } from '../context.ts';
import { createRequestLoader, type RequestLoader } from '../documents/request-loader.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { findLinksOfDocuments, type ShareLinkRecord } from './share-links.repository.ts';
import { createShareLink, linkStatus, revokeShareLink, updateShareLink } from './share-links.service.ts';
import { openSharedLink } from './shared-link.service.ts';

const NO_LINKS: readonly ShareLinkRecord[] = Object.freeze([]);
const perRequest = new WeakMap<DocumentsContext, RequestLoader<string, readonly ShareLinkRecord[]>>();

/** A page of documents asks for its links in one query; only the owner's documents have any. */
function linksOf(context: DocumentsContext, documentId: string): Promise<readonly ShareLinkRecord[]> {
  const principal = context.principal;
  if (principal.kind !== 'user') return Promise.resolve(NO_LINKS);
  let loader = perRequest.get(context);
  if (!loader) {
    loader = createRequestLoader((ids) => findLinksOfDocuments(context.em, principal.id, ids), NO_LINKS);
    perRequest.set(context, loader);
  }
  return loader.load(documentId);
}

export const shareLinkResolvers: Resolvers = {
  Query: {
    // The storage subgraph's `download` requires objectKey: the gateway asks for it exactly
    // when the client asked for a download, and only then is one counted.
    sharedLink: (_, args, context, info) =>
      openSharedLink(context, args.token, args.password, { issuesDownload: selectsField(info, 'objectKey') }),
  },
  Mutation: {
    createShareLink: (_, args, context) => createShareLink(context, args.input),
    updateShareLink: (_, args, context) => updateShareLink(context, args.id, args.input),
    revokeShareLink: (_, args, context) => revokeShareLink(context, args.id),
  },
  Document: {
    shareLinks: (document, _args, context) => linksOf(context, document.id),
  },
  ShareLink: {
    status: (link) => linkStatus(link),
  },
  SharedDocument: {
    // Only a token opens a link: the key alone resolves nothing.
    __resolveReference: () => null,
  },
};
