import type { Logger } from '../logging/logger.ts';

const PARENT_GONE_GRACE_MS = 5_000;

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits. A second signal, or a stop
 * that takes longer than `graceMs`, exits at once: an operator's Ctrl-C must
 * always work.
 *
 * A process started with an IPC channel (`npm start` starts each service so)
 * also stops when the channel closes: its supervisor is gone, even if it was
 * SIGKILLed, and nothing else would stop it.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals | 'parent gone') => {
    if (stopping) {
      // Only a signal counts as a second request; the lifeline closing while stopping is expected.
      if (signal === 'parent gone') return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    // With the supervisor gone, the dependencies it ran are going too (npm start's
    // Redis, PostgreSQL): a stop that waits on them would hold our port for nothing.
    const limit = signal === 'parent gone' ? Math.min(graceMs, PARENT_GONE_GRACE_MS) : graceMs;
    const force = setTimeout(() => {
      logger.error({ graceMs: limit }, 'shutdown took too long: exiting');
      process.exit(1);
    }, limit);
    force.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  // process.send exists only with a channel; it may have closed while this process was starting.
  if (typeof process.send === 'function') {
    if (process.connected) process.once('disconnect', () => handler('parent gone'));
    else handler('parent gone');
  }
}
