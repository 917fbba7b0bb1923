import { AppError } from '@docuvault/shared/errors/index';

// The failures of the accounts feature that clients see. Their messages are the
// contract: a sign-in must fail the same way whether the email exists or not.

export const wrongCredentials = (): AppError => new AppError('UNAUTHENTICATED', 'Email or password is wrong');

/** Unknown, expired, revoked or replayed: the client cannot tell which, and must sign in again. */
export const invalidRefreshToken = (): AppError =>
  new AppError('UNAUTHENTICATED', 'The refresh token is not valid; sign in again');

export const emailTaken = (): AppError =>
  new AppError('CONFLICT', 'An account with this email already exists', { argument: 'email' });

export const tooManySignIns = (retryAfterSeconds: number): AppError =>
  new AppError('TOO_MANY_REQUESTS', `Too many sign-in attempts; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });

export const signInUnavailable = (cause: unknown): AppError =>
  new AppError('SERVICE_UNAVAILABLE', 'Signing in is not possible right now; try again shortly', undefined, {
    cause,
  });
