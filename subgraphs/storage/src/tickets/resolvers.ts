import { vaultOwner } from '@docuvault/shared/auth/principal';
import { provisionExternalUser } from '@docuvault/shared/auth/provision';
import type { StorageContext, TicketDeps } from '../context.ts';
import { completeUpload } from './complete-upload.service.ts';
import { requestUpload, type RequestUploadInput } from './request-upload.service.ts';

/** The request's vault, as in the documents subgraph (its vaultOf): tickets are the owner's. */
const ownerOf = (context: StorageContext): string | null => vaultOwner(context.principal);

/** Ticket dependencies, once an external identity's account exists (tickets refer to it). */
async function ticketsFor(context: StorageContext): Promise<TicketDeps> {
  const tickets = context.tickets();
  await provisionExternalUser(tickets.em, context.principal, context.config.QUOTA_DEFAULT_BYTES);
  return tickets;
}

export const ticketResolvers = {
  Mutation: {
    requestUpload: async (_: unknown, args: { input: RequestUploadInput }, context: StorageContext) => {
      const owner = ownerOf(context);
      const tickets = await ticketsFor(context);
      return requestUpload({ ...tickets, store: context.store, config: context.config }, owner, args.input);
    },
    completeUpload: async (_: unknown, args: { ticketId: string }, context: StorageContext) => {
      const owner = ownerOf(context);
      const tickets = await ticketsFor(context);
      const { document, duplicate } = await completeUpload(
        { ...tickets, store: context.store, logger: context.logger, config: context.config },
        owner,
        args.ticketId,
        { requestId: context.requestId, clientIp: context.clientIp },
      );
      // Only the key: the gateway fetches every other field from the documents subgraph.
      return { document: { __typename: 'Document', id: document.id }, duplicate };
    },
  },
};
