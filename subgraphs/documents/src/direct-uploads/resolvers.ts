import { vaultOwner } from '@docuvault/shared/auth/principal';
import type { DocumentsContext } from '../context.ts';
import { documentLoaders } from '../documents/loaders.ts';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { completeUpload } from './complete-upload.service.ts';
import { requestUpload } from './request-upload.service.ts';

/** The request's vault, as everywhere in this subgraph: tickets are the owner's. */
const ownerOf = (context: DocumentsContext): string | null => vaultOwner(context.principal);

export const ticketResolvers: Resolvers = {
  Mutation: {
    requestUpload: async (_, args, context) =>
      requestUpload(
        { em: context.em, store: context.store, config: context.config },
        ownerOf(context),
        args.input,
      ),
    completeUpload: async (_, args, context) => {
      const result = await completeUpload(
        {
          em: context.em,
          queue: context.queue,
          store: context.store,
          logger: context.logger,
          config: context.config,
        },
        ownerOf(context),
        args.ticketId,
        { requestId: context.requestId, clientIp: context.clientIp },
      );
      // As uploadDocument: the record answers this request's Document fields without a reload.
      documentLoaders(context).document.prime(result.document.id, result.document);
      return result;
    },
  },
};
