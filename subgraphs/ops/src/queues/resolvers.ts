import { QUEUE_NAMES } from '@docuvault/shared/queue/jobs';
import { operatorOnly } from '../auth/audited-action.ts';
import type { MutationRetryJobArgs, Resolvers } from '../generated/resolvers-types.ts';
import { failedJobs } from './failed-jobs.ts';
import { queueNamed } from './queue-registry.ts';
import { pauseQueue, queueStats, resumeQueue, retryAllFailed, retryJob } from './queues.service.ts';

export const queueResolvers: Resolvers = {
  Query: {
    queues: (_, __, context) => Promise.all([...context.queues.values()].map((queue) => queueStats(queue))),
    failedJobs: (_, args, context) =>
      failedJobs(context.redis, queueNamed(context.queues, args.queue), args.first, args.after),
  },
  Mutation: {
    retryJob: operatorOnly('retryJob', (args: MutationRetryJobArgs, context) =>
      // An explicit null means the default too.
      retryJob(queueNamed(context.queues, args.queue ?? QUEUE_NAMES.classify), args.id),
    ),
    retryAllFailed: operatorOnly('retryAllFailed', (args, context) =>
      retryAllFailed(queueNamed(context.queues, args.queue)),
    ),
    pauseQueue: operatorOnly('pauseQueue', (args, context) =>
      pauseQueue(queueNamed(context.queues, args.queue)),
    ),
    resumeQueue: operatorOnly('resumeQueue', (args, context) =>
      resumeQueue(queueNamed(context.queues, args.queue)),
    ),
  },
};
