import { describe, expect, it } from '@jest/globals';
import { createJobWorker } from '@docuvault/documents/worker/job-runner';
import { checkHandlers, JobRegistryError, type JobHandlers } from '@docuvault/documents/worker/registry';
import { createLogger } from '@docuvault/shared/logging/logger';
import { JOB_NAMES } from '@docuvault/shared/queue/jobs';
import type { Redis } from 'ioredis';

const noop = async () => undefined;
const complete = Object.fromEntries(Object.values(JOB_NAMES).map((name) => [name, noop]));

describe('the job registry', () => {
  it('accepts one handler per job name', () => {
    expect(() => checkHandlers(complete)).not.toThrow();
  });

  it('refuses a registry that misses a job name, naming it', () => {
    const { 'retrain-classifier': _, ...missing } = complete;
    expect(() => checkHandlers(missing)).toThrow(
      new JobRegistryError('job registry is incomplete: no handler for job retrain-classifier'),
    );
  });

  it('refuses a handler for a job that does not exist', () => {
    expect(() => checkHandlers({ ...complete, 'make-coffee': noop })).toThrow(
      /handler for unknown job make-coffee/,
    );
  });

  it('keeps the worker from starting when a handler is missing', () => {
    const { 'classify-document': _, ...missing } = complete;
    expect(() =>
      createJobWorker({
        config: {
          REDIS_PREFIX: 't',
          WORKER_LOCK_DURATION_MS: 10_000,
          WORKER_STALLED_INTERVAL_MS: 5_000,
        },
        queue: 'classify',
        concurrency: 1,
        // Never used: the registry is checked before anything connects.
        connection: {} as Redis,
        handlers: missing as unknown as JobHandlers,
        logger: createLogger('test', 'silent'),
        onDocumentFailed: noop,
      }),
    ).toThrow(JobRegistryError);
  });
});
