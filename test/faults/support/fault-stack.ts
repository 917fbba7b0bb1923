import type { DocumentsDeps } from '@docuvault/documents/context';
import { createDocumentsSubgraph } from '@docuvault/documents/documents-subgraph';
import { runObjectRemovals } from '@docuvault/documents/object-removals/object-removals';
import { sweepIncompleteUploads } from '@docuvault/documents/uploads/incomplete-uploads-sweep';
import { startSweeper } from '@docuvault/documents/uploads/index';
import { documentsEnv, loadConfig, type DocumentsConfig } from '@docuvault/shared/config/index';
import { createOrm, databaseTimeouts } from '@docuvault/shared/db/orm';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { freePort } from '@docuvault/local-stack/index';
import { createLogger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { createRedis } from '@docuvault/shared/queue/redis';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migratedTestDatabase, type TestDatabase } from '../../support/database.ts';
import { createTestBucket, testS3, type TestBucket, type TestS3 } from '../../support/s3.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { TEST_SECRET_KEY } from '../../support/signed-fetch.ts';
import { startGatewayAt } from '../../support/stack.ts';
import { createTestUser, type TestUser } from '../../support/users.ts';

// The gateway and the documents subgraph (with its upload sweeper) in this process, on
// the services a scenario names: its own PostgreSQL, Redis or S3 where it breaks them,
// the harness's otherwise. Timeouts are short so that a fault shows within seconds.

export interface Services {
  /** Superuser URL of a PostgreSQL server. */
  databaseUrl: string;
  redisUrl: string;
  s3: TestS3;
  /** The S3 server goes away with the scenario: its bucket need not be emptied first. */
  s3Disposable?: boolean;
}

/** The harness's shared services (for scenarios that break none of them). */
export function sharedServices(): Services {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('TEST_DATABASE_URL is not set (the jest globalSetup provides it)');
  return { databaseUrl, redisUrl: testRedisUrl(), s3: testS3() };
}

/**
 * Settings every scenario starts from: bounded, but generous enough for the harness's
 * shared services on a loaded machine. A scenario shortens the timeouts of the service
 * it breaks (see `shortTimeouts`).
 */
export const BASE_SETTINGS = {
  DATABASE_CONNECT_TIMEOUT_MS: '5000',
  DATABASE_QUERY_TIMEOUT_MS: '15000',
  S3_IDLE_TIMEOUT_MS: '15000',
  S3_REQUEST_TIMEOUT_MS: '60000',
  UPLOAD_IDLE_TIMEOUT_MS: '20000',
  UPLOAD_SWEEP_AFTER_SECONDS: '1',
  UPLOAD_SWEEP_INTERVAL_SECONDS: '1',
} as const;

/** Timeouts for the service a scenario stalls: a fault shows within seconds. */
export const shortTimeouts = {
  postgres: { DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_QUERY_TIMEOUT_MS: '3000' },
  objectStore: { S3_IDLE_TIMEOUT_MS: '3000', S3_REQUEST_TIMEOUT_MS: '8000' },
} as const;

export interface Counts {
  /** Document rows. */
  rows: number;
  /** Objects in the bucket, but for the thumbnails their document rows record. */
  objects: number;
  /** Multipart uploads neither completed nor aborted. */
  incompleteUploads: number;
  /** What the quotas say is used, summed over users. */
  chargedBytes: number;
  /** What the document rows say is stored. */
  storedBytes: number;
}

export interface FaultStack {
  readonly gatewayUrl: string;
  readonly config: DocumentsConfig;
  readonly database: TestDatabase;
  readonly bucket: TestBucket;
  readonly queue: ClassifyQueue;
  /** Superuser pool on the scenario's database, for counting behind the API. */
  readonly admin: pg.Pool;
  readonly user: TestUser;
  counts(): Promise<Counts>;
  /**
   * The sweeper's abort of unfinished multipart uploads as it runs once they are older
   * than MULTIPART_ABORT_AFTER_SECONDS (its clock moved past that; the minimum is a minute).
   */
  sweepIncompleteUploadsLater(): Promise<void>;
  /**
   * The object-removal sweep as it runs once every queued removal is due: a thumbnail stored
   * by a worker killed before it recorded it is queued for removal an hour later
   * (thumbnails.service.ts), and is gone after this.
   */
  runObjectRemovalsLater(): Promise<void>;
  /** The environment of a worker process on this stack's database, bucket and queue. */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startFaultStack(
  label: string,
  services: Services,
  settings: Record<string, string> = {},
): Promise<FaultStack> {
  // The support helpers read the TEST_* variables; jest gives each test file its own copy.
  process.env.TEST_DATABASE_URL = services.databaseUrl;
  process.env.TEST_REDIS_URL = services.redisUrl;
  Object.assign(process.env, {
    TEST_S3_ENDPOINT: services.s3.endpoint,
    TEST_S3_ACCESS_KEY: services.s3.accessKey,
    TEST_S3_SECRET_KEY: services.s3.secretKey,
    TEST_S3_REGION: services.s3.region,
  });
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const database = await migratedTestDatabase(label);
    closers.push(() => database.drop());
    const bucket = await createTestBucket(label);
    if (!services.s3Disposable) closers.push(() => bucket.cleanup());
    const s3 = services.s3;
    const config = loadConfig('documents', documentsEnv, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SECRET_KEY: TEST_SECRET_KEY,
      DATABASE_URL: database.appUrl,
      DATABASE_POOL_MAX: '5',
      REDIS_URL: services.redisUrl,
      REDIS_PREFIX: testRedisPrefix(label),
      MINIO_ENDPOINT: s3.endpoint,
      MINIO_ROOT_USER: s3.accessKey,
      MINIO_ROOT_PASSWORD: s3.secretKey,
      MINIO_REGION: s3.region,
      MINIO_BUCKET: bucket.bucket,
      ...BASE_SETTINGS,
      ...settings,
    });
    const orm: MikroORM = await createOrm({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      timeouts: databaseTimeouts(config),
    });
    closers.push(() => orm.close());
    const redis = createRedis(config.REDIS_URL, 'producer');
    const queue = createClassifyQueue(redis, config.REDIS_PREFIX);
    queue.on('error', () => undefined);
    closers.push(async () => {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close().catch(() => undefined);
      redis.disconnect();
    });
    const logger = createLogger('documents', config.LOG_LEVEL);
    const store = createObjectStore(config);
    const deps: DocumentsDeps = { config, logger, em: orm.em, store, queue, redis };
    const subgraph: RunningServer = await (
      await createDocumentsSubgraph(deps, { requireGatewaySignature: true })
    ).listen('127.0.0.1', 0);
    closers.push(() => subgraph.close());
    const sweeper = startSweeper({ em: orm.em, queue, logger, config, store });
    closers.push(() => sweeper.stop());
    const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
    const gateway = await startGatewayAt(
      { documents: `${subgraph.url}/graphql`, storage: nowhere, ops: nowhere },
      {
        NODE_ENV: config.NODE_ENV,
        ALLOW_ANONYMOUS: 'false',
        UPLOAD_IDLE_TIMEOUT_MS: String(config.UPLOAD_IDLE_TIMEOUT_MS),
        SUBGRAPH_TIMEOUT_MS: settings.SUBGRAPH_TIMEOUT_MS ?? '5000',
      },
      createLogger('gateway', 'silent'),
    );
    closers.push(() => gateway.close());
    const admin = new pg.Pool({ connectionString: database.adminUrl, max: 2 });
    admin.on('error', () => undefined);
    closers.push(() => admin.end());
    const user = await createTestUser(admin);
    return {
      gatewayUrl: `${gateway.url}/graphql`,
      config,
      database,
      bucket,
      queue,
      admin,
      user,
      counts: () => countEverything(admin, bucket),
      async sweepIncompleteUploadsLater() {
        const later = new Date(Date.now() + (config.MULTIPART_ABORT_AFTER_SECONDS + 1) * 1000);
        await sweepIncompleteUploads(
          { store, logger },
          { olderThanSeconds: config.MULTIPART_ABORT_AFTER_SECONDS, now: later },
        );
      },
      async runObjectRemovalsLater() {
        await admin.query("update object_removals set not_before = now() - interval '1 second'");
        await runObjectRemovals({ em: orm.em, store, logger });
      },
      workerEnv: (extra = {}) => ({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.appUrl,
        DATABASE_POOL_MAX: '4',
        REDIS_URL: config.REDIS_URL,
        REDIS_PREFIX: config.REDIS_PREFIX,
        MINIO_ENDPOINT: s3.endpoint,
        MINIO_ROOT_USER: s3.accessKey,
        MINIO_ROOT_PASSWORD: s3.secretKey,
        MINIO_REGION: s3.region,
        MINIO_BUCKET: bucket.bucket,
        HOST: '127.0.0.1',
        OCR: 'off',
        ...extra,
      }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function countEverything(admin: pg.Pool, bucket: TestBucket): Promise<Counts> {
  const { rows } = await admin.query<{ rows: number; stored: string; charged: string }>(
    `select (select count(*)::int from documents) as rows,
            (select coalesce(sum(size_bytes), 0) from documents where user_id is not null) as stored,
            (select coalesce(sum(used_bytes), 0) from quotas) as charged`,
  );
  // A thumbnail its document row records is part of that document, not an object of its
  // own; one no row records is counted, so a thumbnail left behind still shows.
  const thumbnails = await admin.query<{ key: string }>(
    'select thumbnail_key as key from documents where thumbnail_key is not null',
  );
  const recordedThumbnails = new Set(thumbnails.rows.map((row) => row.key));
  let objects = 0;
  for await (const item of bucket.client.listObjectsV2(bucket.bucket, '', true)) {
    if (item.name && !recordedThumbnails.has(item.name)) objects += 1;
  }
  const row = rows[0];
  return {
    rows: row?.rows ?? 0,
    objects,
    incompleteUploads: await countIncompleteUploads(bucket),
    chargedBytes: Number(row?.charged ?? 0),
    storedBytes: Number(row?.stored ?? 0),
  };
}

async function countIncompleteUploads(bucket: TestBucket): Promise<number> {
  // The listing also lists each upload's parts: one aborted in between fails it. Ask again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      let count = 0;
      for await (const _ of bucket.client.listIncompleteUploads(bucket.bucket, '', true)) count += 1;
      return count;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}
