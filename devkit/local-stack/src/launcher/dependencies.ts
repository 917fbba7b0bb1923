import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { provisionDatabase } from '@docuvault/shared/db/roles';
import { cephAvailable, startCephRgw, type LocalS3 } from '../ceph-rgw.ts';
import { startEmbeddedPostgres } from '../postgres.ts';
import { startRedis } from '../redis.ts';
import { startS3rver } from '../s3rver.ts';

export interface Dependencies {
  /** Variables for the services: what was given, plus what was started here. */
  env: Record<string, string>;
  started: string[];
  /** What will not work as in production with what was started; the launcher prints them. */
  warnings: string[];
  stop(): Promise<void>;
}

export interface DependencyOptions {
  /** Whether Ceph's programs are installed; looked up on PATH unless given. */
  cephAvailable?: boolean;
}

/** Told plainly when `npm start` runs s3rver because Ceph is missing (one item per line). */
export const S3RVER_WARNING = [
  'S3 runs on s3rver, a stand-in, because Ceph (radosgw, ceph-mon, ceph-osd) is not installed. With s3rver:',
  "- presigned POST uploads (requestUpload tickets) are not checked at all: neither the policy's signature nor its " +
    'conditions (key, size range, content type, expiry); completeUpload still checks size and type, but only after the bytes are stored',
  "- multipart uploads only partly work: s3rver cannot list or abort them, so the minio client's " +
    'putObject fails above 64 MiB and a failed large upload leaves its parts on disk',
  '- signature checks are weaker: unsigned requests are served, payload hashes and conditional copies (If-Match) ' +
    'are not checked, so any process on this machine can read and write the bucket',
  'For the real S3 gateway: apt-get install --no-install-recommends radosgw ceph-mon ceph-osd, then npm start again',
].join('\n');

interface LocalObjectStore {
  /** For the list of started services. */
  name: string;
  start(root: string): Promise<LocalS3>;
  warning?: string;
}

/** Ceph's gateway when installed; otherwise s3rver, with what that cannot do. */
function localObjectStore(ceph: boolean): LocalObjectStore {
  if (ceph)
    return { name: 'Ceph object gateway', start: (root) => startCephRgw({ dataDir: join(root, 'ceph') }) };
  return {
    name: 's3rver, a stand-in: Ceph is not installed',
    start: (root) => startS3rver({ dataDir: join(root, 's3rver') }),
    warning: S3RVER_WARNING,
  };
}

/**
 * Anything the environment names is used as given; anything missing is
 * started locally under `root`, with data kept across restarts.
 */
export async function provideDependencies(
  root: string,
  given: NodeJS.ProcessEnv,
  options: DependencyOptions = {},
): Promise<Dependencies> {
  mkdirSync(root, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  const warnings: string[] = [];
  const env: Record<string, string> = {};

  const postgres = async () => {
    if (given.DATABASE_URL) return;
    const pg = await startEmbeddedPostgres({ dataDir: join(root, 'postgres') });
    stops.push(pg.stop);
    started.push(`PostgreSQL (embedded) on port ${pg.port}`);
    const { ownerUrl, appUrl } = await provisionDatabase(pg.adminUrl, {
      database: 'docuvault',
      ownerRole: 'docuvault_owner',
      ownerPassword: 'docuvault-owner-local',
      appRole: 'docuvault_app',
      appPassword: 'docuvault-app-local',
    });
    env.DATABASE_URL = appUrl;
    env.DATABASE_MIGRATE_URL ??= ownerUrl;
  };
  const redis = async () => {
    if (given.REDIS_URL) return;
    const server = await startRedis({ dataDir: join(root, 'redis'), persistent: true });
    stops.push(server.stop);
    started.push(`Redis on port ${server.port}`);
    env.REDIS_URL = server.url;
  };
  const objectStore = async () => {
    if (given.MINIO_ENDPOINT) return;
    const local = localObjectStore(options.cephAvailable ?? cephAvailable());
    const s3 = await local.start(root);
    stops.push(s3.stop);
    started.push(`S3 (${local.name}) at ${s3.endpoint}`);
    if (local.warning) warnings.push(local.warning);
    env.MINIO_ENDPOINT = s3.endpoint;
    env.MINIO_ROOT_USER = s3.accessKey;
    env.MINIO_ROOT_PASSWORD = s3.secretKey;
    env.MINIO_REGION = s3.region;
  };

  const stop = async () => {
    await Promise.allSettled(stops.reverse().map((fn) => fn()));
  };
  // Ceph takes the longest: start all three at once.
  const results = await Promise.allSettled([postgres(), redis(), objectStore()]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  if (!given.SECRET_KEY) env.SECRET_KEY = localSecret(root);
  return { env, started, warnings, stop };
}

/** A random key made once and kept, so restarts keep tokens and signatures valid. */
function localSecret(root: string): string {
  const file = join(root, 'secret-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
