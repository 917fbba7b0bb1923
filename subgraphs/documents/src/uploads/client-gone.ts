import { AppError } from '@docuvault/shared/errors/index';
import type { Response } from 'express';
import type { Upload } from 'graphql-upload-ts';

// An upload whose caller hung up (the client, or the gateway giving up on us) before it
// was answered must leave nothing behind: the S3 write is aborted and the document is not
// recorded. The resolver gets the file's promise, not the HTTP response, so each file's
// promise is tied here to a signal that fires when the response closes unanswered.

const signals = new WeakMap<Promise<unknown>, AbortSignal>();

export const callerGone = () => new AppError('BAD_USER_INPUT', 'The upload was interrupted');

/** Gives the files of one multipart request a signal that fires when `res` closes before it finished. */
export function watchCaller(res: Response, uploads: readonly Upload[]): void {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(callerGone());
  });
  for (const upload of uploads) signals.set(upload.promise, controller.signal);
}

/** The signal of the request that carried `file` (the resolver's Upload argument). */
export function callerSignal(file: Promise<unknown>): AbortSignal | undefined {
  return signals.get(file);
}
