import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@docuvault/local-stack/free-port';
import { SERVICE_NODE_FLAGS } from '@docuvault/shared/system/node-flags';

// One server process of the benchmarked system: its own Node (the project's Node 22, as
// `npm start` runs it), its own free port, its log in a file (the services log every
// request at the default level: on a terminal that would drown the progress lines).

export const REPO = path.join(import.meta.dirname, '..', '..');

export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface ProcessOptions {
  name: string;
  /** Entry point, relative to the repository. */
  entry: string;
  /** The whole environment of the process (PATH is added). */
  env: Record<string, string>;
  /** The variable its port goes in (DOCUMENTS_PORT, GATEWAY_PORT, …). */
  portVariable: string;
  logDir: string;
  /** Node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Answers true once the process serves; default: GET /health/ready answers 2xx. */
  ready?: (url: string) => Promise<boolean>;
  timeoutMs?: number;
}

const healthReady = (url: string) =>
  fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.ok,
    () => false,
  );

const tail = (file: string) => readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');

export async function startProcess(options: ProcessOptions): Promise<BenchProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const args = [...SERVICE_NODE_FLAGS, ...(options.nodeArgs ?? []), path.join(REPO, options.entry)];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', ...options.env, [options.portVariable]: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const ready = options.ready ?? healthReady;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited (${exitCode}) before it was ready; its log:\n${tail(logFile)}`);
    }
    if (await ready(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} not ready in time; its log:\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { name: options.name, pid: child.pid!, url, logFile, stop };
}
