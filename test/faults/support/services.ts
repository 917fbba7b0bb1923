import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCephRgw, startEmbeddedPostgres, startRedis } from '@docuvault/local-stack/index';
import { spawnDaemon, waitUntil, type Daemon } from '@docuvault/local-stack/daemon';
import { postmasterPid } from '@docuvault/local-stack/postgres-host';
import { findExecutable, killQuietly } from '@docuvault/local-stack/util';
import type { TestS3 } from '../../support/s3.ts';

// Services a fault scenario owns, because it stops, kills or freezes them: never the
// harness's shared ones. Each lives under a temp directory of its own, removed on stop.

export interface OwnPostgres {
  readonly adminUrl: string;
  /** SIGSTOP to the postmaster and every backend: the server accepts connections and answers nothing. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  stop(): Promise<void>;
}

export interface OwnRedis {
  readonly url: string;
  /** Stops the server (its data is gone: it is not persistent, as a lost Redis would be). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface OwnS3 extends TestS3 {
  /** SIGKILL to the S3 gateway (radosgw): connections break, objects stay in the cluster. */
  killGateway(): Promise<void>;
  /** SIGSTOP / SIGCONT to the S3 gateway: it accepts connections and answers nothing. */
  freezeGateway(): void;
  thawGateway(): void;
  /** Starts the S3 gateway again after killGateway. */
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

async function tempRoot(label: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `docuvault-fault-${label}-`));
}

/** The processes whose parent is `pid` (from /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children: number[] = [];
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of text.trim().split(/\s+/)) if (child) children.push(Number(child));
  }
  return children;
}

export async function startOwnPostgres(label: string): Promise<OwnPostgres> {
  const root = await tempRoot(label);
  const dataDir = path.join(root, 'postgres');
  const pg = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  const postmaster = await postmasterPid(dataDir);
  if (postmaster === undefined) throw new Error('no postmaster.pid after PostgreSQL started');
  let frozen: number[] = [];
  return {
    adminUrl: pg.adminUrl,
    async freeze() {
      // The postmaster first, so it forks no backend we would miss.
      killQuietly(postmaster, 'SIGSTOP');
      frozen = [postmaster, ...(await childrenOf(postmaster))];
      for (const pid of frozen.slice(1)) killQuietly(pid, 'SIGSTOP');
    },
    async thaw() {
      for (const pid of frozen.reverse()) killQuietly(pid, 'SIGCONT');
      frozen = [];
    },
    async stop() {
      for (const pid of frozen) killQuietly(pid, 'SIGCONT');
      await pg.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function startOwnRedis(label: string): Promise<OwnRedis> {
  const root = await tempRoot(label);
  const dataDir = path.join(root, 'redis');
  let redis = await startRedis({ dataDir, persistent: false });
  const port = redis.port;
  let running = true;
  return {
    url: redis.url,
    async kill() {
      await redis.stop();
      running = false;
    },
    async restart() {
      redis = await startRedis({ dataDir, port, persistent: false });
      running = true;
    },
    async stop() {
      if (running) await redis.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The pid of the radosgw serving `conf` (the one whose command line names our config). */
async function radosgwPid(conf: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (path.basename(args[0] ?? '') === 'radosgw' && args.includes(conf)) return Number(entry);
  }
  return undefined;
}

function s3Answers(endpoint: string): Promise<boolean> {
  return fetch(endpoint, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.status === 200,
    () => false,
  );
}

export async function startOwnS3(label: string): Promise<OwnS3> {
  const root = await tempRoot(label);
  const dir = path.join(root, 'ceph');
  const conf = path.join(dir, 'ceph.conf');
  const s3 = await startCephRgw({ dataDir: dir, persistent: false, memstoreBytes: 512 * 1024 ** 2 });
  const restarted: Daemon[] = [];
  const pidOrThrow = async () => {
    const pid = await radosgwPid(conf);
    if (pid === undefined) throw new Error(`no radosgw running for ${conf}`);
    return pid;
  };
  let gatewayPid = await pidOrThrow();
  return {
    endpoint: s3.endpoint,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    async killGateway() {
      killQuietly(gatewayPid, 'SIGKILL');
      await waitUntil('radosgw gone', async () => !(await s3Answers(s3.endpoint)), { timeoutMs: 10_000 });
    },
    freezeGateway() {
      killQuietly(gatewayPid, 'SIGSTOP');
    },
    thawGateway() {
      killQuietly(gatewayPid, 'SIGCONT');
    },
    async restartGateway() {
      const binary = findExecutable('radosgw');
      if (!binary) throw new Error('radosgw is not on PATH');
      const daemon = spawnDaemon({
        name: 'radosgw',
        command: binary,
        args: ['-f', '-c', conf, '-n', 'client.rgw'],
        logFile: path.join(dir, 'log', 'radosgw-restarted.out'),
        env: { ...process.env, CEPH_ARGS: undefined, CEPH_CONF: conf },
      });
      restarted.push(daemon);
      await waitUntil('restarted radosgw', () => s3Answers(s3.endpoint), { timeoutMs: 60_000, daemon });
      gatewayPid = await pidOrThrow();
    },
    async stop() {
      killQuietly(gatewayPid, 'SIGCONT');
      for (const daemon of restarted) await daemon.stop({ timeoutMs: 10_000 });
      await s3.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
