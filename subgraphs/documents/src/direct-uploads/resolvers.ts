import { vaultOwner } from '@docuvault/shared/auth/principal';
import type { DocumentsContext } from '../context.ts';
import { documentLoaders } from '../documents/loaders.ts';
import { completeUpload } from './complete-upload.service.ts';
import { requestUpload, type RequestUploadInput } from './request-upload.service.ts';

/** The request's vault, as everywhere in this subgraph: tickets are the owner's. */
const ownerOf = (context: DocumentsContext): string | null => vaultOwner(context.principal);

export const ticketResolvers = {
  Mutation: {
    requestUpload: async (_: unknown, args: { input: RequestUploadInput }, context: DocumentsContext) =>
      requestUpload(
        { em: context.em, store: context.store, config: context.config },
        ownerOf(context),
        args.input,
      ),
    completeUpload: async (_: unknown, args: { ticketId: string }, context: DocumentsContext) => {
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
