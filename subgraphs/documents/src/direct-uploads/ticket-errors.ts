import { AppError, badInput, notFound } from '@docuvault/shared/errors/index';

// Why a direct upload is refused. Size, type and emptiness share the GraphQL upload's
// errors (FILE_TOO_LARGE, UNSUPPORTED_TYPE, EMPTY_FILE, from the documents subgraph);
// these are the ticket's own. `reason` lets a client tell the BAD_USER_INPUTs apart.

export const ticketNotFound = (ticketId: string) => notFound('upload ticket', ticketId);

export const ticketExpired = (ticketId: string) =>
  badInput('This upload ticket has expired; request a new one', { reason: 'EXPIRED', ticketId });

export const nothingUploaded = (ticketId: string) =>
  badInput('Nothing was uploaded for this ticket', { reason: 'NOT_UPLOADED', ticketId });

export const objectChanged = (ticketId: string) =>
  badInput('The upload was replaced while it was being verified; complete the ticket again', {
    reason: 'CHANGED',
    ticketId,
  });

/** The bytes are not what the ticket declared (a PNG sent under a PDF ticket). */
export const typeMismatch = (sniffed: string | undefined, declared: string, allowed: readonly string[]) =>
  new AppError(
    'UNSUPPORTED_TYPE',
    `The uploaded file is ${sniffed ?? 'of an unrecognised type'}, not ${declared} as the ticket declared`,
    { mimeType: sniffed ?? null, declared, allowed },
  );
