import { AppError } from '@docuvault/shared/errors/index';
import type { Response } from 'express';

export {
  fileTooLarge,
  tooManyFiles,
  malformed,
  missingPart,
  unmappedPart,
  partSentTwice,
  badFilename,
  fieldAfterMap,
  malformedPartHeader,
} from '@docuvault/shared/uploads/multipart-refusals';

// Upload failures the gateway detects itself, with the same stable codes the documents
// subgraph uses. Thrown during execution they reach the client through formatError;
// before execution (a malformed request) they are answered directly by sendUploadError.

export const clientGone = () => new AppError('BAD_USER_INPUT', 'The client disconnected during the upload');

/** Refusals that stop the whole request answer 413 when about size, else 400. */
export const refusalStatus = (error: AppError): number =>
  error.code === 'FILE_TOO_LARGE' || error.code === 'TOO_MANY_FILES' ? 413 : 400;

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
  const status = error instanceof AppError ? refusalStatus(error) : 400;
  res.status(status).json({ errors: [{ message: error.message, extensions: { ...details, code } }] });
}
