import type { Logger } from '../logging/logger.ts';

export interface PeriodicTask {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`. A run still in progress skips the next tick
 * (sweeps must not pile up on a slow database), a failed run is logged and
 * the next tick tries again, and the timer alone never keeps the process alive.
 */
export function runPeriodically(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
): PeriodicTask {
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = task()
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error, task: name }, `${name} failed`),
      )
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
