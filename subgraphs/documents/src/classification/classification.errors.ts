import { AppError } from '@docuvault/shared/errors/index';

/** The queue (Redis) did not take the jobs: nothing was enqueued, the client may retry. */
export const queueUnavailable = (cause: unknown) =>
  new AppError(
    'SERVICE_UNAVAILABLE',
    'the classification queue is not reachable; try again shortly',
    undefined,
    {
      cause,
    },
  );
