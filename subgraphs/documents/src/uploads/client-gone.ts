import { AppError } from '@docuvault/shared/errors/index';
import type { Response } from 'express';
import { Upload } from 'graphql-upload-ts';

// An upload whose caller hung up (the client, or the gateway giving up on us) before it
// was answered must leave nothing behind: the S3 write is aborted and the document is not
// recorded. The resolver gets the Upload, not the HTTP response, so each Upload of a
// request is tied here to a signal that fires when the response closes unanswered.

const signals = new WeakMap<Upload, AbortSignal>();

export const callerGone = () => new AppError('BAD_USER_INPUT', 'The upload was interrupted');

/** Every Upload the parser placed into the operations (at the paths of `map`). */
function uploadsIn(value: unknown, found: Upload[] = [], depth = 0): Upload[] {
  if (value instanceof Upload) found.push(value);
  else if (value && typeof value === 'object' && depth < 32) {
    for (const child of Object.values(value)) uploadsIn(child, found, depth + 1);
  }
  return found;
}

/** Gives the files in `operations` a signal that fires when `res` closes before it finished. */
export function watchCaller(res: Response, operations: unknown): void {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(callerGone());
  });
  for (const upload of uploadsIn(operations)) signals.set(upload, controller.signal);
}

/** The signal of the request that carried `file` (the resolver's Upload argument). */
export function callerSignal(file: Upload): AbortSignal | undefined {
  return signals.get(file);
}
