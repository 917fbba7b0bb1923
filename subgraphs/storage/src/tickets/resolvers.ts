import { vaultOwner } from '@docuvault/shared/auth/principal';
import type { StorageContext } from '../context.ts';
import { completeUpload } from './complete-upload.service.ts';
import { requestUpload, type RequestUploadInput } from './request-upload.service.ts';

/** The request's vault, as in the documents subgraph (its vaultOf): tickets are the owner's. */
const ownerOf = (context: StorageContext): string | null => vaultOwner(context.principal);

export const ticketResolvers = {
  Mutation: {
    requestUpload: (_: unknown, args: { input: RequestUploadInput }, context: StorageContext) => {
      const tickets = context.tickets();
      return requestUpload(
        { ...tickets, store: context.store, config: context.config },
        ownerOf(context),
        args.input,
      );
    },
    completeUpload: async (_: unknown, args: { ticketId: string }, context: StorageContext) => {
      const tickets = context.tickets();
      const { document, duplicate } = await completeUpload(
        { ...tickets, store: context.store, logger: context.logger, config: context.config },
        ownerOf(context),
        args.ticketId,
        { requestId: context.requestId, clientIp: context.clientIp },
      );
      // Only the key: the gateway fetches every other field from the documents subgraph.
      return { document: { __typename: 'Document', id: document.id }, duplicate };
    },
  },
};
