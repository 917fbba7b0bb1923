import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '@docuvault/shared/system/node-flags';

const REPO = join(import.meta.dirname, '..', '..', '..', '..');

/** Every long-running process of the system, as `npm start` runs it, with the port of its /health/ready. */
export const SERVICES = [
  { name: 'documents', entry: 'subgraphs/documents/src/main.ts', port: 'DOCUMENTS_PORT' },
  { name: 'storage', entry: 'subgraphs/storage/src/main.ts', port: 'STORAGE_PORT' },
  { name: 'ops', entry: 'subgraphs/ops/src/main.ts', port: 'OPS_PORT' },
  { name: 'gateway', entry: 'gateway/src/main.ts', port: 'GATEWAY_PORT' },
  { name: 'worker', entry: 'subgraphs/documents/src/worker.ts', port: 'WORKER_HEALTH_PORT' },
] as const;

export type Service = (typeof SERVICES)[number];

/**
 * Starts a service with this Node (22) and the merged environment; its output
 * goes to ours.
 *
 * Each service gets a process group of its own: a terminal's Ctrl-C goes to
 * the whole foreground group, and a service in ours would see it and then the
 * launcher's own stop signal, a second signal. So only the launcher hears the
 * terminal, and each service is told to stop exactly once, by the launcher.
 * Out of the terminal's reach, a service still must not outlive the launcher:
 * the IPC channel is its lifeline (the kernel closes it when the launcher dies,
 * SIGKILL included) and the service stops when it closes (http/shutdown.ts).
 */
export function spawnService(service: Service, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(REPO, service.entry)], {
    cwd: REPO,
    env,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * SIGTERM, then SIGKILL to the process's group after `graceMs` (whatever the
 * service started goes with it). Resolves once it has exited.
 */
export async function stopProcess(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
