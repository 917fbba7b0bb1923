// When `npm start` restarts a process that exited, and when it gives up.
//
// As compose's `restart:` policy does, each restart waits twice as long as the
// one before, and a run that lasted `healthyAfterMs` resets the wait. A process
// that keeps failing at start (`maxQuickFailures` runs in a row, each shorter
// than `healthyAfterMs`) will not start by waiting: a port in use, a refused
// configuration, a missing schema. The launcher then stops everything and
// says why, instead of restarting it for ever.

export interface RestartPolicy {
  /** Wait before the first restart after a failure. */
  firstDelayMs: number;
  /** The wait doubles up to this. */
  maxDelayMs: number;
  /** A run at least this long counts as a successful start: the count and the wait start over. */
  healthyAfterMs: number;
  /** This many short runs in a row: give up. */
  maxQuickFailures: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  healthyAfterMs: 10_000,
  maxQuickFailures: 5,
};

export type RestartDecision =
  | { action: 'restart'; delayMs: number; quickFailures: number }
  | { action: 'give-up'; quickFailures: number; reason: string };

/** One process's restart history; `exited` is told how long each run lasted. */
export class RestartTracker {
  private quickFailures = 0;
  private readonly policy: RestartPolicy;

  constructor(policy: RestartPolicy = DEFAULT_RESTART_POLICY) {
    this.policy = policy;
  }

  exited(ranForMs: number): RestartDecision {
    const { firstDelayMs, maxDelayMs, healthyAfterMs, maxQuickFailures } = this.policy;
    if (ranForMs >= healthyAfterMs) this.quickFailures = 0;
    else this.quickFailures += 1;
    if (this.quickFailures >= maxQuickFailures) {
      return {
        action: 'give-up',
        quickFailures: this.quickFailures,
        reason: `exited ${this.quickFailures} times in a row within ${healthyAfterMs / 1000} s of starting`,
      };
    }
    // A crash after a good run is restarted after the first delay; each quick failure doubles it.
    const delayMs = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, this.quickFailures - 1));
    return { action: 'restart', delayMs, quickFailures: this.quickFailures };
  }
}
