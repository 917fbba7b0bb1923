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

export const wrongPassword = (): AppError =>
  new AppError('FORBIDDEN', 'The password is wrong: the account was not deleted', { argument: 'password' });

/** An external identity has no password here: it proves itself with a token signed moments ago. */
export const freshSignInRequired = (maxAgeSeconds: number): AppError =>
  new AppError(
    'FORBIDDEN',
    `Deleting an account signed in through an identity provider needs a token issued within the last ${maxAgeSeconds} s: sign in there again first`,
    { reason: 'FRESH_SIGN_IN_REQUIRED', maxAgeSeconds },
  );

export const lastAdmin = (): AppError =>
  new AppError(
    'CONFLICT',
    'The last administrator cannot be deleted: an installation must keep one (give another account ADMIN first)',
  );

export const ownAccountByAdmin = (): AppError =>
  new AppError('BAD_USER_INPUT', 'To delete your own account use deleteAccount(password)', {
    argument: 'id',
  });

export const accountGone = (): AppError =>
  new AppError('UNAUTHENTICATED', 'This account does not exist (any more); sign in again');

export const deletionUnavailable = (cause: unknown): AppError =>
  new AppError(
    'SERVICE_UNAVAILABLE',
    'Deleting an account is not possible right now; nothing was deleted, try again shortly',
    undefined,
    {
      cause,
    },
  );
