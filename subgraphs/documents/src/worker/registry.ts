import { JOB_NAMES, type JobName, type WorkerJobs } from '@docuvault/shared/queue/jobs';
import type { Job } from 'bullmq';

// The worker's job registry: every job name of shared/src/queue/jobs.ts, on whichever
// queue, maps to exactly one handler. The type makes a missing handler a compile error; checkHandlers makes it a
// start-up error too, for whatever the type system cannot see.

export type JobHandler<N extends JobName> = (
  job: Job<WorkerJobs[N]>,
  signal: AbortSignal,
  /** The job's lock token, for a handler that moves its job (e.g. back to delayed). */
  token?: string,
) => Promise<unknown>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export class JobRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRegistryError';
  }
}

/** Refuses a registry that misses a job name or names a job that does not exist. */
export function checkHandlers(handlers: Readonly<Record<string, unknown>>): void {
  const names: string[] = Object.values(JOB_NAMES);
  const missing = names.filter((name) => typeof handlers[name] !== 'function');
  const unknown = Object.keys(handlers).filter((name) => !names.includes(name));
  const problems = [
    ...(missing.length > 0 ? [`no handler for job ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`handler for unknown job ${unknown.join(', ')}`] : []),
  ];
  if (problems.length > 0) throw new JobRegistryError(`job registry is incomplete: ${problems.join('; ')}`);
}

export function handlerFor(handlers: JobHandlers, name: string): JobHandler<JobName> | undefined {
  return Object.hasOwn(handlers, name) ? (handlers[name as JobName] as JobHandler<JobName>) : undefined;
}
