import type { ErrorCode } from './codes.ts';

/**
 * An expected failure with a client-safe message. Services throw (or return)
 * these; the GraphQL layer maps them to errors with `extensions.code`.
 * Anything that is not an AppError is treated as a bug and hidden from clients.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, details);

export const notFound = (what: string, id: string) =>
  new AppError('NOT_FOUND', `${what} ${id} was not found`, { id });
