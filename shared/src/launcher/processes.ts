import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..', '..', '..');

/** Every long-running process of the system, as `npm start` runs it. */
export const SERVICES = [
  { name: 'documents', entry: 'subgraphs/documents/src/main.ts' },
  { name: 'storage', entry: 'subgraphs/storage/src/main.ts' },
  { name: 'ops', entry: 'subgraphs/ops/src/main.ts' },
  { name: 'gateway', entry: 'gateway/src/main.ts' },
  { name: 'worker', entry: 'subgraphs/documents/src/worker.ts' },
] as const;

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts a service with this Node (22) and the merged environment; its output goes to ours. */
export function startService(service: (typeof SERVICES)[number], env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, [join(REPO, service.entry)], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name: service.name, child, exited };
}

export async function stopServices(services: ServiceProcess[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    services.map(async ({ child, exited }) => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

export async function waitForReady(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}
