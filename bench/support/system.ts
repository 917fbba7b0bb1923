import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVICES } from '@docuvault/local-stack/launcher/processes';
import pg from 'pg';
import { migratedTestDatabase, type TestDatabase } from '../../devkit/scratch/database.ts';
import { testRedisPrefix, testRedisUrl } from '../../devkit/scratch/redis.ts';
import { createTestBucket, testS3, type TestBucket } from '../../devkit/scratch/s3.ts';
import { startProcess, type BenchProcess } from './processes.ts';
import { openSeededDatabase, seededDatabaseFile, type SeededDatabase } from './seeded-database.ts';

// The system under test, as `npm start` runs it: the gateway and the three subgraphs,
// each its own Node process (so each one's RSS and CPU are its own, and the load
// generator never shares a process with a server), production settings (NODE_ENV=
// production, LOG_LEVEL=info: every request logged, subgraphs requiring the gateway's
// signature), against a database, bucket and Redis prefix of its own on the services of
// ./services.ts. No classification worker runs: uploads stay UPLOADED.
//
//   BENCH_LOG_LEVEL=warn      the services' log level (default info, as in production)
//   BENCH_CPU_PROF=gateway    --cpu-prof for these processes (comma-separated names);
//                             the .cpuprofile files stay in the log directory

export type SubgraphName = 'documents' | 'storage' | 'ops';

export interface GatewayTargets {
  documents: string;
  storage: string;
  ops: string;
}

export interface System {
  readonly database: TestDatabase;
  /** The kept, already seeded database of BENCH_SEEDED_DATABASE (./seeded-database.ts), when given. */
  readonly seeded: SeededDatabase | undefined;
  readonly bucket: TestBucket;
  /** Superuser pool on the system's database (seeding, statistics). */
  readonly admin: pg.Pool;
  /** The SECRET_KEY every process shares (the subgraph signature key derives from it). */
  readonly secretKey: string;
  readonly documents: BenchProcess;
  readonly storage: BenchProcess;
  readonly ops: BenchProcess;
  readonly gateway: BenchProcess;
  /** The gateway's /graphql. */
  readonly gatewayUrl: string;
  readonly logDir: string;
  /** Another subgraph process on the same database, bucket and Redis; stopped with the system. */
  startSubgraph(name: SubgraphName, options: { label: string; signed: boolean }): Promise<BenchProcess>;
  /** Another of our gateways, calling the given /graphql URLs; stopped with the system. */
  startGateway(label: string, targets: GatewayTargets): Promise<BenchProcess>;
  /** Any process with the system's base environment; stopped with the system. */
  startExtra(options: {
    name: string;
    entry: string;
    env: Record<string, string>;
    portVariable: string;
    ready?: (url: string) => Promise<boolean>;
  }): Promise<BenchProcess>;
  stop(): Promise<void>;
}

/** Two GiB: the upload scenario sends one GiB through the gateway. */
const MAX_UPLOAD_BYTES = String(2 * 1024 ** 3);
const PORT_VARIABLES = {
  documents: 'DOCUMENTS_PORT',
  storage: 'STORAGE_PORT',
  ops: 'OPS_PORT',
  gateway: 'GATEWAY_PORT',
} as const;

const entryOf = (name: keyof typeof PORT_VARIABLES) => SERVICES.find((s) => s.name === name)!.entry;
const profiled = new Set((process.env.BENCH_CPU_PROF ?? '').split(',').filter(Boolean));

export async function startSystem(say: (line: string) => void): Promise<System> {
  const logDir = await mkdtemp(path.join(tmpdir(), 'docuvault-bench-logs-'));
  const seededFile = seededDatabaseFile();
  const seeded = seededFile ? await openSeededDatabase(seededFile) : undefined;
  const database = seeded?.database ?? (await migratedTestDatabase('bench'));
  const bucket = await createTestBucket('bench');
  const admin = new pg.Pool({ connectionString: database.adminUrl, max: 4 });
  const s3 = testS3();
  const secretKey = randomBytes(32).toString('base64url');
  const base: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    SECRET_KEY: secretKey,
    // Authentication is being added: the bench measures the anonymous vault.
    ALLOW_ANONYMOUS: 'true',
    DATABASE_URL: database.appUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: testRedisPrefix('bench'),
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: bucket.bucket,
    MAX_UPLOAD_BYTES,
  };
  const started: BenchProcess[] = [];
  const start = async (options: Parameters<System['startExtra']>[0] & { profileAs?: string }) => {
    const process_ = await startProcess({
      ...options,
      env: { ...base, ...options.env },
      logDir,
      nodeArgs: profiled.has(options.profileAs ?? options.name)
        ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`, `--cpu-prof-name=${options.name}.cpuprofile`]
        : [],
    });
    started.push(process_);
    return process_;
  };
  const startSubgraph: System['startSubgraph'] = (name, options) =>
    start({
      name: options.label,
      profileAs: name,
      entry: entryOf(name),
      portVariable: PORT_VARIABLES[name],
      env: { SUBGRAPH_REQUIRE_SIGNATURE: String(options.signed) },
    });
  const startGateway: System['startGateway'] = (label, targets) =>
    start({
      name: label,
      profileAs: 'gateway',
      entry: entryOf('gateway'),
      portVariable: PORT_VARIABLES.gateway,
      env: { DOCUMENTS_URL: targets.documents, STORAGE_URL: targets.storage, OPS_URL: targets.ops },
    });

  let stopped = false;
  let keepLogs = profiled.size > 0;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(started.reverse().map((p) => p.stop()));
    await admin.end();
    await bucket.cleanup().catch((error: unknown) => say(`bucket cleanup failed: ${String(error)}`));
    await database.drop();
    if (keepLogs) say(`logs${profiled.size > 0 ? ' and CPU profiles' : ''} kept in ${logDir}`);
    else await rm(logDir, { recursive: true, force: true });
  };

  try {
    say(`starting documents, storage, ops and the gateway (logs in ${logDir})…`);
    const [documents, storage, ops] = await Promise.all(
      (['documents', 'storage', 'ops'] as const).map((name) =>
        startSubgraph(name, { label: name, signed: true }),
      ),
    );
    const gateway = await startGateway('gateway', {
      documents: `${documents!.url}/graphql`,
      storage: `${storage!.url}/graphql`,
      ops: `${ops!.url}/graphql`,
    });
    return {
      database,
      seeded,
      bucket,
      admin,
      secretKey,
      documents: documents!,
      storage: storage!,
      ops: ops!,
      gateway,
      gatewayUrl: `${gateway.url}/graphql`,
      logDir,
      startSubgraph,
      startGateway,
      startExtra: start,
      stop,
    };
  } catch (error) {
    keepLogs = true;
    await stop();
    throw error;
  }
}
