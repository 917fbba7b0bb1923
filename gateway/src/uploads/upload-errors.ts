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

// A request whose map and parts disagree is refused whole, before any file is kept
// (as the multipart spec's reference implementations refuse it).

export const missingPart = (keys: readonly string[]) =>
  malformed(
    `the map names the file part${keys.length > 1 ? 's' : ''} ${keys.map((k) => `‘${k}’`).join(', ')}, which the request does not carry`,
  );

export const unmappedPart = (key: string) => malformed(`the file part ‘${key}’ is not named in the map`);

export const partSentTwice = (key: string) => malformed(`the file part ‘${key}’ is sent twice`);

export const badFilename = (key: string, problem: string) =>
  new AppError('BAD_USER_INPUT', `The filename of the file part ‘${key}’ ${problem}`, { filePart: key });

/** busboy makes a part with `filename=""` a plain field: for a mapped name, say what happened. */
export const fieldAfterMap = (name: string, mapped: boolean) =>
  mapped
    ? badFilename(name, 'is empty (a part with filename="" is not a file): send the file with its name')
    : malformed(`unexpected field ‘${name}’: after ‘map’ come only file parts, each with a filename`);

/** busboy's words for a part header it cannot read; a raw control character in a filename is the usual cause. */
export const malformedPartHeader = () =>
  malformed(
    'a part header is malformed (a filename with line breaks or other control characters in it cannot be read; ' +
      "such characters are not allowed in filenames, and others must be quoted or sent as filename*=UTF-8''…)",
  );

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
