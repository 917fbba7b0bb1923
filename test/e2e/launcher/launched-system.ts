import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isPortFree } from '@docuvault/local-stack/free-port';

// `npm start` as an operator runs it, for the launcher's end-to-end tests and
// for measuring them: its own process group (so "the group" can be signalled
// as a terminal's Ctrl-C does), free ports, a data directory of the caller's.

const repo = join(import.meta.dirname, '..', '..', '..');

export const SERVICE_PORTS = [
  'GATEWAY_PORT',
  'DOCUMENTS_PORT',
  'STORAGE_PORT',
  'OPS_PORT',
  'WORKER_HEALTH_PORT',
] as const;
export type ServicePorts = Record<(typeof SERVICE_PORTS)[number], number>;

export interface LaunchedSystem {
  /** npm's pid; also its process group's id. */
  readonly pid: number;
  readonly child: ChildProcess;
  readonly ports: ServicePorts;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects when npm exits first or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The ports npm start's own PostgreSQL, Redis and S3 listen on (none when given). */
  dependencyPorts(): number[];
}

export async function freeServicePorts(): Promise<ServicePorts> {
  const ports = {} as ServicePorts;
  for (const name of SERVICE_PORTS) ports[name] = await freePort();
  return ports;
}

/** Runs `npm start` (the real npm script) with only `env` on top of PATH and HOME. */
export async function launch(options: {
  dataDir: string;
  env?: Record<string, string>;
  ports?: Partial<ServicePorts>;
}): Promise<LaunchedSystem> {
  const ports = { ...(await freeServicePorts()), ...options.ports };
  const child = spawn('npm', ['start'], {
    cwd: repo,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOCUVAULT_DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ...options.env,
    },
    detached: true, // a process group of its own, as a shell gives a foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const waiter of waiters) waiter();
  });
  return {
    pid: child.pid!,
    child,
    ports,
    exited,
    output: () => output,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const finish = (error?: Error, line?: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(new Error(`${error.message}; output:\n${output}`));
          else resolve(line!);
        };
        const check = () => {
          const line = output.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) finish(undefined, line);
          else if (hasExited) finish(new Error(`npm start exited before a line matched ${pattern}`));
        };
        waiters.add(check);
        check();
      });
    },
    dependencyPorts() {
      const found = [
        /PostgreSQL \(embedded\) on port (\d+)/,
        /Redis on port (\d+)/,
        /S3 \(.*\) at http:\/\/127\.0\.0\.1:(\d+)/,
      ].flatMap((re) => {
        const match = re.exec(output);
        return match ? [Number(match[1])] : [];
      });
      return found;
    },
  };
}

/**
 * `launch`, then waits for `ready`. The service ports are picked before npm
 * starts and another process can bind one first; then the service says
 * EADDRINUSE, the launcher gives up, and this launches again on new ports.
 * A port the caller chose is its own business: taken, it is not retried.
 */
export async function launchUntilReady(
  options: Parameters<typeof launch>[0],
  ready: RegExp,
  timeoutMs: number,
): Promise<LaunchedSystem> {
  const chosen = new Set(Object.values(options.ports ?? {}));
  for (let attempt = 1; ; attempt++) {
    const system = await launch(options);
    try {
      await system.waitForLine(ready, timeoutMs);
      return system;
    } catch (error) {
      killAll([system.pid, ...descendants(system.pid)]);
      await exitedWithin(system, 10_000);
      const taken = [...system.output().matchAll(/EADDRINUSE[^\n]*?:(\d+)\b/g)].map((m) => Number(m[1]));
      const pickedPortTaken = taken.length > 0 && taken.every((port) => !chosen.has(port));
      if (attempt === 3 || !pickedPortTaken) throw error;
    }
  }
}

/** Every process below `pid` (from /proc), whatever session or group it moved to. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${child}/stat`, 'utf8');
    } catch {
      continue;
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

export function isRunning(pid: number): boolean {
  try {
    // A zombie still answers kill(0): it is gone for our purposes.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Polls until no pid runs and every port is free; returns what is still there after `timeoutMs`. */
export async function waitUntilGone(
  pids: number[],
  ports: number[],
  timeoutMs: number,
): Promise<{ pids: number[]; ports: number[]; ms: number }> {
  const started = performance.now();
  for (;;) {
    const livePids = pids.filter(isRunning);
    const busy: number[] = [];
    for (const port of ports) if (!(await isPortFree(port))) busy.push(port);
    const ms = Math.round(performance.now() - started);
    if ((livePids.length === 0 && busy.length === 0) || ms > timeoutMs)
      return { pids: livePids, ports: busy, ms };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The command line of `pid`, for messages about what was left running. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export type SignalTarget = 'npm' | 'launcher' | 'group';

/** The launcher's pid: npm's child running start.ts (npm execs it, no shell in between). */
export function launcherPid(system: LaunchedSystem): number {
  const pid = descendants(system.pid).find((p) =>
    commandOf(p).includes('devkit/local-stack/src/launcher/start.ts'),
  );
  if (pid === undefined) throw new Error(`no launcher below npm (pid ${system.pid})`);
  return pid;
}

export interface StopOutcome {
  /** Every process that ran below npm (npm included) when the signal was sent. */
  pids: number[];
  /** Still running / still bound after the wait (both empty when everything stopped). */
  left: { pids: string[]; ports: number[] };
  /** How long until every process and port was gone. */
  ms: number;
  exit: { code: number | null; signal: NodeJS.Signals | null } | 'still running';
}

/** Sends `signal` to `target`, then waits up to `timeoutMs` for every process and port to be gone. */
export async function signalAndWait(
  system: LaunchedSystem,
  target: SignalTarget,
  signal: NodeJS.Signals,
  timeoutMs = 10_000,
): Promise<StopOutcome> {
  const launcher = launcherPid(system);
  const pids = [system.pid, ...descendants(system.pid)];
  const ports = [...Object.values(system.ports), ...system.dependencyPorts()];
  const pid = { npm: system.pid, launcher, group: -system.pid }[target];
  process.kill(pid, signal);
  const gone = await waitUntilGone(pids, ports, timeoutMs);
  const exit = await exitedWithin(system, 1_000);
  return {
    pids,
    left: { pids: gone.pids.map((p) => `${p} ${commandOf(p)}`), ports: gone.ports },
    ms: gone.ms,
    exit,
  };
}

/** Kills whatever is left below npm (after a failed test). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** How npm exited, or 'still running' after `ms`. */
export async function exitedWithin(
  system: LaunchedSystem,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms);
  });
  try {
    return await Promise.race([system.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
