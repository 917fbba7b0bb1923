import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CephConfigInput {
  dir: string;
  fsid: string;
  monPort: number;
  rgwPort: number;
  persistent: boolean;
  memstoreBytes: number;
}

// Unix socket paths are limited to 107 bytes; a deep data dir disables the
// admin sockets (only `ceph daemon` debugging uses them) instead of failing.
const MAX_SOCKET_PATH = 100;

/**
 * ceph.conf for a one-monitor, one-OSD (memstore) cluster with cephx off,
 * everything on 127.0.0.1, and every path (run dir, admin sockets, logs, mon
 * and OSD data, keyring, crash dumps) under `dir`, so that two clusters on one
 * machine never share a file: each has its own fsid, ports and directory.
 */
export function cephConfig(input: CephConfigInput): string {
  const { dir } = input;
  const runDir = path.join(dir, 'run');
  const socket = path.join(runDir, '$cluster-$name.asok');
  const socketFits = path.join(runDir, 'ceph-client.rgw.asok').length <= MAX_SOCKET_PATH;
  const global: Record<string, string | number | boolean> = {
    fsid: input.fsid,
    mon_host: `[v2:127.0.0.1:${input.monPort}]`,
    mon_initial_members: 'a',
    public_addr: '127.0.0.1',
    cluster_addr: '127.0.0.1',
    ms_bind_ipv6: false,
    ms_bind_msgr1: false,
    auth_cluster_required: 'none',
    auth_service_required: 'none',
    auth_client_required: 'none',
    // With auth off there is no session key: "secure" (the radosgw default) cannot work.
    ms_mon_client_mode: 'crc',
    ms_mon_cluster_mode: 'crc',
    ms_mon_service_mode: 'crc',
    run_dir: runDir,
    admin_socket: socketFits ? socket : '',
    log_file: path.join(dir, 'log', '$cluster-$name.log'),
    log_to_stderr: false,
    err_to_stderr: true,
    pid_file: '',
    crash_dir: path.join(dir, 'crash'),
    keyring: path.join(dir, 'keyring'),
    // One OSD: one replica, few placement groups, no warnings about either.
    osd_pool_default_size: 1,
    osd_pool_default_min_size: 1,
    osd_pool_default_pg_num: 8,
    osd_pool_default_pgp_num: 8,
    osd_pool_default_pg_autoscale_mode: 'off',
    osd_crush_chooseleaf_type: 0,
    mon_allow_pool_size_one: true,
    mon_allow_pool_delete: true,
    mon_warn_on_pool_no_redundancy: false,
    mon_data_avail_crit: 1,
    // The monitor batches map changes for a second by default; rgw's first
    // start makes ~15 of them (pools), so batch briefly instead.
    paxos_propose_interval: 0.05,
    paxos_min_wait: 0.01,
    mon_data_avail_warn: 2,
  };
  const mon = { mon_data: path.join(dir, 'mon') };
  const osd = {
    osd_data: path.join(dir, 'osd'),
    osd_objectstore: 'memstore',
    // Reported capacity (the OSD turns read-only at 95 % of it); objects live in RAM.
    memstore_device_bytes: input.memstoreBytes,
    // memstore writes its contents to osd_data only on a clean unmount, which
    // the default fast shutdown skips.
    osd_fast_shutdown: !input.persistent,
    // A stopping OSD tells the monitor and waits for its answer, 5 s by default; when the
    // whole stack stops at once (its parent died) the monitor is gone already, and those
    // 5 s were most of the stop. memstore's contents are written either way.
    osd_mon_shutdown_timeout: 1,
  };
  const rgw = {
    rgw_data: path.join(dir, 'rgw'),
    rgw_frontends: `beast endpoint=127.0.0.1:${input.rgwPort}`,
    rgw_thread_pool_size: 32,
    // rgw may start before the OSD is up; re-check for a new OSD map every
    // second instead of every five.
    objecter_tick_interval: 1,
    // Accept a LocationConstraint that names a region other than the zonegroup's.
    rgw_relaxed_region_enforcement: true,
    // Deleted objects hold RAM until garbage collection: collect soon.
    rgw_gc_obj_min_wait: 60,
    rgw_gc_processor_period: 60,
  };
  return [
    section('global', global),
    section('mon', mon),
    section('osd', osd),
    section('client.rgw', rgw),
  ].join('\n');
}

function section(name: string, values: Record<string, string | number | boolean>): string {
  const lines = Object.entries(values).map(([key, value]) => `${key} = ${String(value)}`);
  return `[${name}]\n${lines.join('\n')}\n`;
}

/** What a persistent cluster keeps between runs (state.json). */
export interface ClusterState {
  fsid: string;
  osdUuid: string;
  monPort: number;
  /** When the OSD last started (ms since epoch): a clean stop saves memstore after it. */
  osdStartedAt: number;
}

export async function readClusterState(dir: string): Promise<ClusterState | undefined> {
  try {
    const state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as Partial<ClusterState>;
    const { fsid, osdUuid, monPort, osdStartedAt } = state;
    if (
      typeof fsid === 'string' &&
      typeof osdUuid === 'string' &&
      typeof monPort === 'number' &&
      typeof osdStartedAt === 'number'
    ) {
      return { fsid, osdUuid, monPort, osdStartedAt };
    }
  } catch {
    // absent or unreadable: a new cluster
  }
  return undefined;
}

export async function writeClusterState(dir: string, state: ClusterState): Promise<void> {
  await writeFile(path.join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * True when the OSD's memstore was saved after its last start. memstore
 * writes its contents (`collections` last) on a clean unmount only; a killed
 * OSD leaves objects older than the monitor's maps: a cluster that hangs.
 */
export async function osdSavedSince(dir: string, startedAt: number): Promise<boolean> {
  const saved = await stat(path.join(dir, 'osd', 'collections')).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  return saved >= startedAt;
}
