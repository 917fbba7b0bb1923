import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { describeExit, spawnDaemon, stopLeftovers, waitUntil } from './daemon.ts';
import { findExecutable } from './util.ts';
import type { Daemon } from './daemon.ts';
import { freePort } from './free-port.ts';

export interface StartRedisOptions {
  /** Working directory: log file, and the append-only file when persistent. */
  dataDir: string;
  /** Port to bind on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Keep data across restarts (append-only file under dataDir). Off: nothing is written. */
  persistent?: boolean;
  /** How long to wait for PONG. */
  timeoutMs?: number;
}

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const REDIS_MISSING_MESSAGE =
  'redis-server is not on PATH. Install it (`apt-get install redis-server`), ' +
  'or point the stack at an existing server with REDIS_URL (TEST_REDIS_URL for the tests).';

/** Sends PING over a raw socket; true on +PONG. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Starts `redis-server` from PATH as a child, bound to 127.0.0.1. */
export async function startRedis(options: StartRedisOptions): Promise<LocalRedis> {
  const binary = findExecutable('redis-server');
  if (!binary) throw new Error(REDIS_MISSING_MESSAGE);
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dataDir, 'redis.log');
  // A server of a killed earlier run may still be writing its append-only file here.
  await stopLeftovers(dataDir, 30_000);

  // A port picked by freePort() can be taken before redis binds it: retry then.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const daemon = spawnDaemon({
      name: 'redis-server',
      command: binary,
      args: redisArgs(dataDir, port, options.persistent ?? false),
      logFile,
      cwd: dataDir,
    });
    try {
      await waitUntil(`redis-server on port ${port}`, () => pingRedis(port), {
        timeoutMs: options.timeoutMs ?? 15_000,
        intervalMs: 50,
        daemon,
      });
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: () => daemon.stop({ timeoutMs: 10_000 }),
      };
    } catch (error) {
      await daemon.stop({ timeoutMs: 2_000 });
      if (attempt < attempts && (await bindFailed(daemon))) continue;
      throw error;
    }
  }
}

async function bindFailed(daemon: Daemon): Promise<boolean> {
  return /Address already in use|Could not create server TCP listening socket/i.test(
    await describeExit(daemon),
  );
}

function redisArgs(dataDir: string, port: number, persistent: boolean): string[] {
  // prettier-ignore
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--protected-mode', 'yes',
    '--daemonize', 'no',
    '--dir', dataDir,
    '--logfile', '',
    // BullMQ refuses any other policy: an evicted job key is a lost job.
    '--maxmemory-policy', 'noeviction',
    '--save', '',
    '--appendonly', persistent ? 'yes' : 'no',
    ...(persistent ? ['--appendfsync', 'everysec'] : []),
  ];
}
