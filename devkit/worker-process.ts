import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@docuvault/local-stack/free-port';
import { SERVICE_NODE_FLAGS } from '@docuvault/shared/system/node-flags';

const repo = join(import.meta.dirname, '..');

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly healthUrl: string;
  readonly exited: Promise<number | null>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

/** `node subgraphs/documents/src/worker.ts`, as compose runs it, with only the given environment. */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...SERVICE_NODE_FLAGS, join(repo, 'subgraphs/documents/src/worker.ts')],
    {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', ...env, WORKER_HEALTH_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    healthUrl: `http://127.0.0.1:${port}`,
    exited,
    output: () => output,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Resolves once /health/ready answers 200; fails when the process exits first. */
export async function waitUntilReady(worker: WorkerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void worker.exited.then(() => (exited = true));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`worker exited before it was ready:\n${worker.output()}`);
    const ok = await fetch(`${worker.healthUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      async (response) => {
        last = `${response.status} ${await response.text()}`;
        return response.ok;
      },
      (error: unknown) => {
        last = String(error);
        return false;
      },
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`worker not ready after ${timeoutMs} ms (last answer: ${last}):\n${worker.output()}`);
}
