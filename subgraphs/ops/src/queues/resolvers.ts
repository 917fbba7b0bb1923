import { QUEUE_NAMES } from '@docuvault/shared/queue/jobs';
import type { OpsContext } from '../context.ts';
import { failedJobs } from './failed-jobs.ts';
import { operatorOnly } from '../auth/audited-action.ts';
import { queueNamed } from './queue-registry.ts';
import { pauseQueue, queueStats, resumeQueue, retryAllFailed, retryJob } from './queues.service.ts';

interface QueueArg {
  queue: string;
}

export const queueResolvers = {
  Query: {
    queues: (_: unknown, __: unknown, context: OpsContext) =>
      Promise.all([...context.queues.values()].map((queue) => queueStats(queue))),
    failedJobs: (
      _: unknown,
      args: QueueArg & { first?: number | null; after?: string | null },
      context: OpsContext,
    ) => failedJobs(context.redis, queueNamed(context.queues, args.queue), args.first, args.after),
  },
  Mutation: {
    retryJob: operatorOnly('retryJob', (args: { id: string; queue?: string | null }, context) =>
      // An explicit null means the default too.
      retryJob(queueNamed(context.queues, args.queue ?? QUEUE_NAMES.classify), args.id),
    ),
    retryAllFailed: operatorOnly('retryAllFailed', (args: QueueArg, context) =>
      retryAllFailed(queueNamed(context.queues, args.queue)),
    ),
    pauseQueue: operatorOnly('pauseQueue', (args: QueueArg, context) =>
      pauseQueue(queueNamed(context.queues, args.queue)),
    ),
    resumeQueue: operatorOnly('resumeQueue', (args: QueueArg, context) =>
      resumeQueue(queueNamed(context.queues, args.queue)),
    ),
  },
};
