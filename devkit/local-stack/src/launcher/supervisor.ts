import type { ChildProcess } from 'node:child_process';
import { DEFAULT_RESTART_POLICY, RestartTracker, type RestartPolicy } from './restart-policy.ts';
import { stopProcess } from './processes.ts';

export interface SupervisedSpec {
  name: string;
  spawn(): ChildProcess;
}

export interface SupervisorOptions {
  policy?: RestartPolicy;
  log(line: string): void;
  /** A process kept failing at start (the policy's rule): the caller stops everything. */
  onGiveUp(name: string, message: string): void;
  /** A process was started again after it exited at `exitedAt` (performance.now()). */
  onRestart?(name: string, exitedAt: number): void;
}

interface Entry {
  spec: SupervisedSpec;
  tracker: RestartTracker;
  child?: ChildProcess;
  exited?: Promise<void>;
  startedAt: number;
  restarts: number;
  timer?: NodeJS.Timeout;
}

/** Keeps each process running: restarts it when it exits, as the restart policy says. */
export class Supervisor {
  private readonly entries: Entry[];
  private stopping = false;
  private readonly options: SupervisorOptions;

  constructor(specs: readonly SupervisedSpec[], options: SupervisorOptions) {
    this.options = options;
    const policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.entries = specs.map((spec) => ({
      spec,
      tracker: new RestartTracker(policy),
      startedAt: 0,
      restarts: 0,
    }));
  }

  start(): void {
    for (const entry of this.entries) this.run(entry);
  }

  /** The pids of the processes running now. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(
      this.entries.map((e) => [
        e.spec.name,
        e.child && e.child.exitCode === null && e.child.signalCode === null ? e.child.pid : undefined,
      ]),
    );
  }

  /** Stops restarting, then stops every process (SIGTERM; SIGKILL after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.entries.map(async (entry) => {
        clearTimeout(entry.timer);
        if (entry.child && entry.exited) await stopProcess(entry.child, entry.exited, graceMs);
      }),
    );
  }

  private run(entry: Entry): void {
    const child = entry.spec.spawn();
    entry.child = child;
    entry.startedAt = performance.now();
    entry.exited = new Promise((resolve) => {
      let done = false;
      const ended = (how: string) => {
        if (done) return;
        done = true;
        resolve();
        this.exited(entry, how);
      };
      child.once('exit', (code, signal) =>
        ended(signal ? `was killed by ${signal}` : `exited with code ${code}`),
      );
      child.once('error', (error) => ended(`could not run: ${error.message}`));
    });
  }

  private exited(entry: Entry, how: string): void {
    if (this.stopping) return;
    const exitedAt = performance.now();
    const ranFor = exitedAt - entry.startedAt;
    const decision = entry.tracker.exited(ranFor);
    const name = entry.spec.name;
    const after = `after ${(ranFor / 1000).toFixed(1)} s`;
    if (decision.action === 'give-up') {
      const message = `${name} ${how} ${after}; it ${decision.reason}, so it will not start by retrying: giving up`;
      this.options.log(message);
      this.options.onGiveUp(name, message);
      return;
    }
    entry.restarts += 1;
    this.options.log(
      `${name} ${how} ${after}; restarting it in ${(decision.delayMs / 1000).toFixed(1)} s (restart ${entry.restarts})`,
    );
    entry.timer = setTimeout(() => {
      if (this.stopping) return;
      this.run(entry);
      this.options.onRestart?.(name, exitedAt);
    }, decision.delayMs);
  }
}
