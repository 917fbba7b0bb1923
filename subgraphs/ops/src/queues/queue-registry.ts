import { badInput } from '@docuvault/shared/errors/index';
import { QUEUE_NAMES } from '@docuvault/shared/queue/jobs';
import { Queue } from 'bullmq';
import type { OpsDeps } from '../context.ts';

/** Every queue of the job registry, by name. */
export type QueueRegistry = ReadonlyMap<string, Queue>;

/**
 * One BullMQ Queue per name in QUEUE_NAMES, read when ops starts: a queue added to the
 * registry shows up here with no change to ops. The classify queue ops already holds is
 * reused; the others share its producer connection and key prefix, and never write queue
 * metadata (ops observes a queue, it does not define it). They hold no connection of
 * their own, so closing `deps.redis` is all the cleanup they need.
 */
export function createQueueRegistry(
  deps: Pick<OpsDeps, 'config' | 'logger' | 'redis' | 'queue'>,
): QueueRegistry {
  const queues = new Map<string, Queue>();
  for (const name of Object.values<string>(QUEUE_NAMES)) {
    if (name === deps.queue.name) {
      queues.set(name, deps.queue);
      continue;
    }
    const queue = new Queue(name, {
      connection: deps.redis,
      prefix: deps.config.REDIS_PREFIX,
      skipMetasUpdate: true,
    });
    // Failures surface through the command that failed; an 'error' event must not go unheard.
    queue.on('error', (error) => deps.logger.warn({ err: error, queue: name }, 'queue connection error'));
    queues.set(name, queue);
  }
  return queues;
}

/** The queue an argument names, or BAD_USER_INPUT listing the ones that exist. */
export function queueNamed(registry: QueueRegistry, name: string, argument = 'queue'): Queue {
  const queue = registry.get(name);
  if (!queue) {
    const known = [...registry.keys()].join(', ');
    throw badInput(`unknown queue "${name}" (known: ${known})`, { argument, known: [...registry.keys()] });
  }
  return queue;
}
