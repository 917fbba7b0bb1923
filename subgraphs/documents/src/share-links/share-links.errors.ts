import { AppError } from '@docuvault/shared/errors/index';

// The failures of public share links that clients see. The public side has one answer for
// every token that does not open a document (unknown, expired, revoked, used up, wrong or
// missing password): telling them apart would tell a guesser which tokens exist.

export const linkNotOpened = (): AppError =>
  new AppError(
    'NOT_FOUND',
    'This link does not exist, has expired or been revoked, or the password is wrong',
  );

export const linkNotFound = (id: string): AppError =>
  new AppError('NOT_FOUND', `Share link ${id} was not found`, { id });

export const documentNotFound = (id: string): AppError =>
  new AppError('NOT_FOUND', `Document ${id} was not found`, { id, argument: 'documentId' });

export const linkRevoked = (id: string): AppError =>
  new AppError('CONFLICT', `Share link ${id} has been revoked and cannot be changed; create a new one`, {
    id,
    reason: 'SHARE_LINK_REVOKED',
  });

export const tooManyLinkAttempts = (retryAfterSeconds: number): AppError =>
  new AppError('TOO_MANY_REQUESTS', `Too many attempts to open links; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });

export const linksUnavailable = (cause: unknown): AppError =>
  new AppError(
    'SERVICE_UNAVAILABLE',
    'Opening links is not possible right now; try again shortly',
    undefined,
    {
      cause,
    },
  );
