import { AppError } from '@docuvault/shared/errors/index';
import { fileTooLarge, tooManyFiles } from '@docuvault/shared/uploads/multipart-refusals';

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

// The upload feature's failures, each with a stable code. Errors raised by the
// multipart library (http-errors with a status) are translated here once, so no
// library message or status leaks to clients as INTERNAL_SERVER_ERROR.

export const emptyFile = () => new AppError('EMPTY_FILE', 'The file is empty');

export const interrupted = () => new AppError('BAD_USER_INPUT', 'The upload was interrupted');

/** The whole request was refused: none of its files is kept, whichever one the error is about. */
export class RequestRefused extends AppError {
  constructor(cause: AppError) {
    super(cause.code, cause.message, cause.details ? { ...cause.details } : undefined, { cause });
    this.name = 'RequestRefused';
  }
}

export const unsupportedType = (mimeType: string | undefined, allowed: readonly string[]) =>
  new AppError(
    'UNSUPPORTED_TYPE',
    mimeType
      ? `Files of type ${mimeType} are not accepted`
      : 'The file is of a type that is not accepted (unrecognised binary data)',
    { mimeType: mimeType ?? null, allowed },
  );

export const storeUnavailable = (cause: unknown) =>
  new AppError('SERVICE_UNAVAILABLE', 'The file could not be stored; try again later', undefined, { cause });

/** An error thrown by the object store, as opposed to one from the file's own stream. */
export class ObjectStoreError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`object store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'ObjectStoreError';
  }
}

interface HttpLikeError {
  status: number;
  message: string;
}

const isHttpLike = (error: unknown): error is HttpLikeError =>
  error instanceof Error && typeof (error as { status?: unknown }).status === 'number';

/**
 * Maps what the multipart parser (graphql-upload-ts, busboy) or the stream of a file can
 * throw to an AppError. Anything else is returned unchanged: a bug stays a bug.
 */
export function toUploadError(error: unknown, limits: { maxBytes: number; maxFiles: number }): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof ObjectStoreError) return storeUnavailable(error);
  if (isHttpLike(error)) {
    if (error.status === 413 && /max file uploads/i.test(error.message)) return tooManyFiles(limits.maxFiles);
    if (error.status === 413 && /^File truncated/i.test(error.message)) return fileTooLarge(limits.maxBytes);
    if (error.status === 499) return new AppError('BAD_USER_INPUT', 'The upload was interrupted');
    if (error.status >= 400 && error.status < 500) return new AppError('BAD_USER_INPUT', error.message);
  }
  // busboy's own parse errors ("Unexpected end of form", "Malformed part header", …).
  if (
    error instanceof Error &&
    /^(Unexpected end of|Malformed|Multipart: |Unsupported content type|Missing Content-Type)/.test(
      error.message,
    )
  ) {
    return new AppError('BAD_USER_INPUT', `Malformed multipart request: ${error.message}`);
  }
  return error;
}
