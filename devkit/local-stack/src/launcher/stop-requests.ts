// What asks `npm start` to stop: a signal, or its parent going away.
//
// One stop request often arrives more than once: a terminal's Ctrl-C (or
// `kill -- -<group>`) reaches npm and the launcher, and npm forwards it to the
// launcher as well. Handlers stay installed (a repeat must not fall through to
// Node's default action and kill the launcher with its children still up); the
// caller makes stopping idempotent.

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Calls `stop` on SIGINT, SIGTERM or SIGHUP, and when this process's parent
 * is gone (npm SIGKILLed, a closed terminal's shell): the launcher is then
 * re-parented, which polling `process.ppid` sees.
 */
export function onStopRequest(stop: (reason: string) => void, { pollMs = 500 } = {}): void {
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(`${signal} received`));
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop(`the parent process (pid ${parent}) is gone`);
  }, pollMs);
  timer.unref();
}
