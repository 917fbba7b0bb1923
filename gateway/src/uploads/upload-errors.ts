import { AppError } from '@docuvault/shared/errors/index';
import type { Response } from 'express';

// Upload failures the gateway detects itself, with the same stable codes the documents
// subgraph uses. Thrown during execution they reach the client through formatError;
// before execution (a malformed request) they are answered directly by sendUploadError.

export const fileTooLarge = (maxBytes: number) =>
  new AppError('FILE_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes`, { maxBytes });

export const tooManyFiles = (maxFiles: number) =>
  new AppError('TOO_MANY_FILES', `A request may carry at most ${maxFiles} files`, { maxFiles });

export const malformed = (message: string) =>
  new AppError('BAD_USER_INPUT', `Malformed multipart request: ${message}`);

export const clientGone = () => new AppError('BAD_USER_INPUT', 'The client disconnected during the upload');

export const CSRF_MESSAGE =
  'This multipart request has been blocked as a potential cross-site request forgery: ' +
  'send an `apollo-require-preflight: true` header.';

/** Answers a request that never reached execution, in the shape Apollo uses for request errors. */
export function sendUploadError(
  res: Response,
  error: AppError | { code: 'BAD_REQUEST'; message: string },
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const code = error.code;
  const details = error instanceof AppError ? error.details : undefined;
  const status = code === 'FILE_TOO_LARGE' || code === 'TOO_MANY_FILES' ? 413 : 400;
  res.status(status).json({ errors: [{ message: error.message, extensions: { ...details, code } }] });
}
