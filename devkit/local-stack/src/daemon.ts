import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { findExecutable, parentPid, tailFile } from './util.ts';

// Child processes of the local stack. Each daemon runs in the foreground under
// a tiny `sh` supervisor, in its own process group, and logs to a file. It is
// tied to this process three ways: stop(), a signal on process 'exit', and the
// kernel's parent-death signal (util-linux `setpriv --pdeathsig`) for when
// this process dies without running 'exit' handlers (SIGKILL, an unhandled
// SIGTERM).
//
// Several of those can fire for one shutdown, but a daemon must see its stop
// signal once: ceph-osd handles SIGTERM once only (a second one kills it while
// memstore is still writing its contents to disk). The supervisor forwards the
// first TERM/INT/HUP it gets and ignores the rest; SIGKILL goes to the group.
// The trap is set before the daemon starts (a signal in between is forwarded
// once it runs), and fd 3 tells this process when the supervisor is in place.
const SUPERVISOR = [
  'sent= child=',
  `forward() { [ -n "$sent" ] || { sent=1; [ -z "$child" ] || kill -"$DAEMON_STOP_SIGNAL" "$child" 2>/dev/null; }; }`,
  'trap forward TERM INT HUP',
  '"$@" 3>&- & child=$!',
  '[ -z "$sent" ] || kill -"$DAEMON_STOP_SIGNAL" "$child" 2>/dev/null',
  'echo "$child" >&3; exec 3>&-',
  'while :; do wait "$child"; status=$?; kill -0 "$child" 2>/dev/null || exit "$status"; done',
].join('\n');

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<DaemonExit>;
  /** Resolves once stop signals are handled (the supervisor, or the script's own traps, are in place). */
  readonly ready: Promise<void>;
  isRunning(): boolean;
  /** Asks the daemon to stop, waits, and SIGKILLs its process group after `timeoutMs`. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

export interface SpawnDaemonOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** What the daemon gets on stop() and on parent death. SIGTERM unless told. */
  signal?: NodeJS.Signals;
  /**
   * false: run `command` without the supervisor. It then gets SIGTERM itself
   * (possibly more than once) and must write a line to fd 3 once it handles it.
   */
  supervise?: boolean;
}

/** Supervisor pids of the daemons still running. */
const running = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of running) signal(pid, 'SIGTERM');
  });
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export function spawnDaemon(options: SpawnDaemonOptions): Daemon {
  const stopSignal = (options.signal ?? 'SIGTERM').replace(/^SIG/, '');
  const setpriv = findExecutable('setpriv');
  const direct = [options.command, ...options.args];
  const process_ = options.supervise === false ? direct : ['/bin/sh', '-c', SUPERVISOR, 'sh', ...direct];
  const argv = setpriv ? [setpriv, '--pdeathsig=TERM', '--', ...process_] : process_;
  const fd = openSync(options.logFile, 'a');
  let child;
  try {
    child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), DAEMON_STOP_SIGNAL: stopSignal },
      detached: true, // own process group: SIGKILL reaches the daemon too
      stdio: ['ignore', fd, fd, 'pipe'],
    });
  } finally {
    closeSync(fd);
  }
  const readyPipe = child.stdio[3] as Readable | null;
  const ready = new Promise<void>((resolve) => {
    if (!readyPipe) return resolve();
    readyPipe.once('data', () => resolve());
    readyPipe.once('close', () => resolve());
    readyPipe.once('error', () => resolve());
  }).then(() => {
    readyPipe?.destroy();
  });
  (readyPipe as unknown as { unref?: () => void } | null)?.unref?.();
  const pid = child.pid ?? -1;
  let alive = child.pid !== undefined;
  if (alive) {
    running.add(pid);
    installExitHook();
  }
  const exited = new Promise<DaemonExit>((resolve) => {
    child.once('error', (error) => {
      alive = false;
      running.delete(pid);
      resolve({ code: null, signal: null, error });
    });
    child.once('exit', (code, sig) => {
      alive = false;
      running.delete(pid);
      resolve({ code, signal: sig });
    });
  });
  child.unref();

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    ready,
    isRunning: () => alive,
    async stop({ timeoutMs = 10_000 } = {}) {
      if (!alive) return;
      signal(pid, 'SIGTERM'); // the supervisor forwards the daemon's stop signal once
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        signal(-pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Waits for daemons of an earlier run that name `marker` (e.g. their config
 * file) in their arguments to finish: a killed parent's daemons may still be
 * shutting down (an OSD writing memstore to disk). Each is asked once to stop
 * (through its supervisor when it has one) and killed after `timeoutMs`.
 * Daemons whose parent still runs belong to a live stack: that is an error
 * (two stacks cannot share one data directory), nothing is stopped.
 */
export async function stopLeftovers(marker: string, timeoutMs = 120_000): Promise<void> {
  const find = async () => {
    const found: { pid: number; ppid: number }[] = [];
    for (const entry of await readdir('/proc').catch(() => [] as string[])) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmdline.split('\0').includes(marker)) continue;
      const ppid = await parentPid(pid);
      if (ppid !== undefined) found.push({ pid, ppid });
    }
    return found;
  };
  let leftovers = await find();
  if (leftovers.length === 0) return;
  const pids = new Set(leftovers.map((p) => p.pid));
  // Supervisors, and daemons that lost theirs; never a supervised daemon directly.
  const tops = leftovers.filter((p) => !pids.has(p.ppid));
  const owned = tops.find((p) => p.ppid !== 1);
  if (owned) {
    throw new Error(
      `${marker} is in use by a running process (pid ${owned.pid}, started by pid ${owned.ppid})`,
    );
  }
  for (const p of tops) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (leftovers.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    leftovers = await find();
  }
  for (const p of leftovers) signal(p.pid, 'SIGKILL');
}

/** Describes how a daemon ended, with the end of its log, for error messages. */
export async function describeExit(daemon: Daemon, extraLog?: string): Promise<string> {
  const exit = await daemon.exited;
  const how = exit.error
    ? `could not be started: ${exit.error.message}`
    : `exited (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'})`;
  const logs = [tailFile(daemon.logFile), extraLog ? tailFile(extraLog) : ''].filter(Boolean).join('\n');
  return `${daemon.name} ${how}${logs ? `; last log lines:\n${logs}` : ''}`;
}

/**
 * Polls `probe` until it returns true. Fails after `timeoutMs`, or at once
 * when `daemon` exits first (with that daemon's log tail).
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 200, daemon }: { timeoutMs: number; intervalMs?: number; daemon?: Daemon },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (daemon && !daemon.isRunning()) throw new Error(`${what}: ${await describeExit(daemon)}`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const log = daemon ? `; last log lines:\n${tailFile(daemon.logFile)}` : '';
      throw new Error(`${what}: not ready after ${timeoutMs} ms${reason}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
