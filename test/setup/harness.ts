import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clearStalePid } from '@docuvault/local-stack/postgres-host';
import { isAlive } from '@docuvault/local-stack/util';

// What global-setup started, for global-teardown: both run in jest's parent
// process, so a global carries it across.

export interface StartedService {
  name: string;
  stop(): Promise<void>;
}

export interface Harness {
  /** Temp directory holding every service's data; removed by teardown. */
  root: string | undefined;
  started: StartedService[];
}

const KEY = Symbol.for('docuvault.test-harness');
const store = globalThis as unknown as Record<symbol, Harness | undefined>;

export function setHarness(harness: Harness | undefined): void {
  store[KEY] = harness;
}

export function takeHarness(): Harness | undefined {
  const harness = store[KEY];
  store[KEY] = undefined;
  return harness;
}

export const ROOT_PREFIX = 'docuvault-test-';

/** A per-run temp directory name that records the owning jest pid. */
export function rootPrefix(): string {
  return path.join(tmpdir(), `${ROOT_PREFIX}${process.pid}-`);
}

/**
 * Removes the temp directories of earlier runs whose jest process is gone
 * (killed before its teardown). Their servers were told to stop when jest
 * died (parent-death signal); a PostgreSQL server still running is stopped.
 */
export async function reapStaleRoots(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = new RegExp(`^${ROOT_PREFIX}(\\d+)-`).exec(entry);
    if (!match || isAlive(Number(match[1]))) continue;
    const root = path.join(tmpdir(), entry);
    await clearStalePid(path.join(root, 'postgres')).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  }
}
