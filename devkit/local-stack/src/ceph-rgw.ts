import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { Client } from 'minio';
import { cephConfig, osdSavedSince, readClusterState, writeClusterState } from './ceph-config.ts';
import type { ClusterState } from './ceph-config.ts';
import { spawnDaemon, stopLeftovers, waitUntil } from './daemon.ts';
import type { Daemon } from './daemon.ts';
import { freePort, isPortFree } from './free-port.ts';
import { exists, fileSize, findExecutable, readFrom, run } from './util.ts';

export interface StartCephRgwOptions {
  /** Everything of this cluster lives here: config, mon store, OSD, logs, sockets. */
  dataDir: string;
  /** S3 port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /**
   * Re-use the cluster in dataDir across restarts (the default, like the
   * PostgreSQL data dir). Objects live in the OSD's RAM (memstore) and are
   * written to dataDir when the OSD stops cleanly (stop(), or this process
   * exiting or dying: the OSD is then told to stop). An OSD that was killed
   * itself loses what it held: the next start begins with an empty cluster.
   * `false`: a fresh, empty cluster every start.
   */
  persistent?: boolean;
  accessKey?: string;
  secretKey?: string;
  /** Capacity the OSD reports; stored objects take this much RAM at most. */
  memstoreBytes?: number;
  timeoutMs?: number;
  /** Where notices go (an unclean earlier stop); stderr unless told. */
  log?: (line: string) => void;
}

export interface LocalS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  stop(): Promise<void>;
}

export const CEPH_MISSING_MESSAGE =
  'the local S3 server needs Ceph (radosgw, ceph-mon, ceph-osd) from Debian: ' +
  '`apt-get install --no-install-recommends radosgw ceph-mon ceph-osd`, ' +
  'or point the stack at an existing S3 server (MINIO_ENDPOINT; TEST_S3_ENDPOINT for the tests)';

// RGW checks SigV4 with whatever region the client signs for; minio and the
// AWS SDKs send no LocationConstraint for us-east-1, which the default
// zonegroup accepts (and rgw_relaxed_region_enforcement accepts any).
const REGION = 'us-east-1';
const TOOLS = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'monmaptool', 'ceph'] as const;
type Tool = (typeof TOOLS)[number];
const SUBDIRS = ['mon', 'osd', 'rgw', 'run', 'log', 'crash'];

/** Starts a one-node Ceph cluster (1 mon, 1 memstore OSD) and its S3 gateway. */
export async function startCephRgw(options: StartCephRgwOptions): Promise<LocalS3> {
  const bin = requireTools();
  const dir = path.resolve(options.dataDir);
  const persistent = options.persistent ?? true;
  const accessKey = options.accessKey ?? 'docuvault-local';
  const secretKey = options.secretKey ?? 'docuvault-local-secret';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const left = () => Math.max(1_000, deadline - Date.now());
  const conf = path.join(dir, 'ceph.conf');

  // Daemons of a killed earlier run get to finish first (the OSD may be saving).
  await stopLeftovers(conf);
  const previous = persistent ? await readClusterState(dir) : undefined;
  let reuse = previous !== undefined && (await exists(path.join(dir, 'osd', 'ready')));
  if (reuse && previous && !(await osdSavedSince(dir, previous.osdStartedAt))) {
    log(`local S3: the Ceph OSD in ${dir} was not stopped cleanly last time; starting an empty cluster`);
    reuse = false;
  }
  if (!reuse) {
    for (const sub of [...SUBDIRS, 'monmap', 'state.json', 'ceph.conf']) {
      await rm(path.join(dir, sub), { recursive: true, force: true });
    }
  }
  for (const sub of SUBDIRS) await mkdir(path.join(dir, sub), { recursive: true });

  const state: ClusterState =
    reuse && previous
      ? { ...previous, monPort: (await isPortFree(previous.monPort)) ? previous.monPort : await freePort() }
      : { fsid: randomUUID(), osdUuid: randomUUID(), monPort: await freePort(), osdStartedAt: 0 };
  const rgwPort = options.port ?? (await freePort());
  const memstoreBytes = options.memstoreBytes ?? 8 * 1024 ** 3;
  await writeFile(conf, cephConfig({ dir, ...state, rgwPort, persistent, memstoreBytes }));

  // Our config file only: no /etc/ceph, no CEPH_ARGS from the caller's shell.
  const env = { ...process.env, CEPH_ARGS: undefined, CEPH_CONF: conf };
  const tool = (name: Tool, args: string[]) =>
    run(bin[name], ['-c', conf, ...args], { env, timeoutMs: left() });
  const monAddr = `[v2:127.0.0.1:${state.monPort}]`;
  const monmap = path.join(dir, 'monmap');
  if (!reuse) {
    await run(bin.monmaptool, [
      '--create',
      '--clobber',
      '--fsid',
      state.fsid,
      '--addv',
      'a',
      monAddr,
      monmap,
    ]);
    await tool('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', monmap]);
  } else if (state.monPort !== previous?.monPort) {
    // The monitor's address is part of its store: move it to the new port.
    await tool('ceph-mon', ['-i', 'a', '--extract-monmap', monmap]);
    await run(bin.monmaptool, ['--rm', 'a', monmap]);
    await run(bin.monmaptool, ['--addv', 'a', monAddr, monmap]);
    await tool('ceph-mon', ['-i', 'a', '--inject-monmap', monmap]);
  }
  await writeClusterState(dir, state); // the store now matches state.monPort

  const daemons: Daemon[] = [];
  const start = (name: Tool, args: string[]) => {
    const logFile = path.join(dir, 'log', `${name}.out`);
    // radosgw keeps nothing of its own (every object and its metadata is in the OSD once a
    // request is answered) and takes 5 to 10 s to exit on SIGTERM (measured: 4.9, 4.9, 9.9 s),
    // which was most of a stack's stop and past the launcher's 10 s under load: it is killed.
    const signal = name === 'radosgw' ? 'SIGKILL' : undefined;
    const daemon = spawnDaemon({
      name,
      command: bin[name],
      args: ['-f', '-c', conf, ...args],
      logFile,
      env,
      signal,
    });
    daemons.push(daemon);
    return daemon;
  };
  const stopAll = async () => {
    // Gateway first, then the OSD (it tells the monitor it is going), monitor last.
    for (const daemon of [...daemons].reverse()) {
      await daemon.stop({ timeoutMs: daemon.name === 'ceph-osd' && persistent ? 300_000 : 10_000 });
    }
  };

  try {
    start('ceph-mon', ['-i', 'a']);
    if (!reuse) {
      const connectTimeout = String(Math.ceil(left() / 1000));
      await Promise.all([
        tool('ceph-osd', ['--mkfs', '-i', '0', '--osd-uuid', state.osdUuid]),
        tool('ceph', ['--connect-timeout', connectTimeout, 'osd', 'new', state.osdUuid, '0']),
      ]);
    }
    await writeClusterState(dir, { ...state, osdStartedAt: Date.now() });
    const osdLog = path.join(dir, 'log', 'ceph-osd.0.log');
    const osdLogStart = await fileSize(osdLog);
    const osd = start('ceph-osd', ['-i', '0']);
    // radosgw started before the OSD is up can stall for many seconds on a
    // restarted cluster: wait for the OSD's own "active" (a log line; when
    // that never shows, rgw starts anyway after a while, only slower).
    await waitUntil(
      'Ceph OSD',
      async () => (await readFrom(osdLog, osdLogStart)).includes('booting -> active'),
      {
        timeoutMs: Math.min(left(), 30_000),
        intervalMs: 50,
        daemon: osd,
      },
    ).catch((error: unknown) => {
      if (!osd.isRunning()) throw error;
    });
    // radosgw creates its pools on first start.
    const rgw = start('radosgw', ['-n', 'client.rgw']);
    await waitUntil('Ceph RGW (anonymous S3 request)', () => httpOk(rgwPort), {
      timeoutMs: left(),
      daemon: rgw,
    });
    await ensureUser(tool, accessKey, secretKey);
    const client = new Client({
      endPoint: '127.0.0.1',
      port: rgwPort,
      useSSL: false,
      accessKey,
      secretKey,
      region: REGION,
    });
    await waitUntil('Ceph RGW (signed S3 request)', () => client.listBuckets().then(() => true), {
      timeoutMs: left(),
      daemon: rgw,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${rgwPort}`, accessKey, secretKey, region: REGION, stop: stopAll };
}

/** True when every Ceph program the local S3 server runs is on PATH. */
export function cephAvailable(): boolean {
  return TOOLS.every((name) => findExecutable(name) !== undefined);
}

function requireTools(): Record<Tool, string> {
  const found: Partial<Record<Tool, string>> = {};
  const missing: string[] = [];
  for (const name of TOOLS) {
    const file = findExecutable(name);
    if (file) found[name] = file;
    else missing.push(name);
  }
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not on PATH: ${CEPH_MISSING_MESSAGE}`);
  return found as Record<Tool, string>;
}

/** The S3 user with the given keys: created, or given the keys when it lacks them. */
async function ensureUser(
  tool: (name: Tool, args: string[]) => Promise<{ stdout: string }>,
  accessKey: string,
  secretKey: string,
): Promise<void> {
  const uid = ['--uid', 'docuvault'];
  const keys = ['--access-key', accessKey, '--secret-key', secretKey];
  const info = await tool('radosgw-admin', ['user', 'info', ...uid]).catch(() => undefined);
  if (!info) {
    await tool('radosgw-admin', ['user', 'create', ...uid, '--display-name', 'DocuVault local', ...keys]);
    return;
  }
  type UserInfo = { keys?: { access_key: string; secret_key: string }[] };
  const existing = (JSON.parse(info.stdout) as UserInfo).keys ?? [];
  if (!existing.some((k) => k.access_key === accessKey && k.secret_key === secretKey)) {
    await tool('radosgw-admin', ['key', 'create', ...uid, '--key-type', 's3', ...keys]);
  }
}

function httpOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { host: '127.0.0.1', port, path: '/', agent: false, timeout: 2_000 };
    const req = request(options, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}
