import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { JOB_NAMES, classifyJobId } from '@docuvault/shared/queue/jobs';
import { createRedis } from '@docuvault/shared/queue/redis';
import pg from 'pg';
import { migratedTestDatabase } from '../../devkit/scratch/database.ts';
import { testRedisPrefix, testRedisUrl } from '../../devkit/scratch/redis.ts';
import { createTestBucket, testS3, type TestBucket } from '../../devkit/scratch/s3.ts';
import { spawnWorker, type WorkerProcess } from '../../devkit/worker-process.ts';

/**
 * One worker as a separate process, with a database, bucket, Redis prefix and queues of its
 * own (classify, and thumbnails, which it serves with THUMBNAIL_CONCURRENCY slots): what
 * the classification and OCR scenarios measure. `close` stops
 * the worker and removes everything it made.
 */
export interface WorkerSystem {
  readonly admin: pg.Pool;
  readonly bucket: TestBucket;
  readonly queue: ReturnType<typeof createClassifyQueue>;
  readonly worker: WorkerProcess;
  /** Queues a classify job per document, as an upload does. */
  enqueue(ids: readonly string[]): Promise<unknown>;
  /** Resolves once every document is CLASSIFIED; throws on a FAILED one or at the deadline. */
  waitClassified(ids: readonly string[], timeoutMs: number): Promise<void>;
  /** Resolves once every document has its thumbnail (jobs of the thumbnails queue); throws at the deadline. */
  waitThumbnails(ids: readonly string[], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkerSystem(name: string, env: Record<string, string>): Promise<WorkerSystem> {
  const database = await migratedTestDatabase(name);
  const bucket = await createTestBucket(name);
  const prefix = testRedisPrefix(name);
  const admin = new pg.Pool({ connectionString: database.adminUrl, max: 4 });
  const redis = createRedis(testRedisUrl(), 'producer');
  const queue = createClassifyQueue(redis, prefix);
  const s3 = testS3();
  const worker = await spawnWorker({
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATABASE_URL: database.appUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: bucket.bucket,
    ...env,
  });
  return {
    admin,
    bucket,
    queue,
    worker,
    enqueue: (ids) =>
      queue.addBulk(
        ids.map((id) => ({
          name: JOB_NAMES.classifyDocument,
          data: { documentId: id },
          opts: { jobId: classifyJobId(id) },
        })),
      ),
    waitClassified: (ids, timeoutMs) => waitClassified(admin, ids, timeoutMs),
    waitThumbnails: (ids, timeoutMs) => waitThumbnails(admin, ids, timeoutMs),
    async close() {
      worker.kill('SIGTERM');
      await worker.exited;
      // BENCH_LOG_LEVEL=info shows the worker's per-document timings.
      if (process.env.BENCH_LOG_LEVEL) process.stderr.write(worker.output());
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
      await admin.end();
      await bucket.cleanup();
      await database.drop();
    },
  };
}

async function waitClassified(admin: pg.Pool, ids: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await admin.query<{ done: number; failed: number }>(
      `select count(*) filter (where status in ('CLASSIFIED', 'FAILED'))::int as done,
              count(*) filter (where status = 'FAILED')::int as failed
       from documents where id = any($1::uuid[])`,
      [ids],
    );
    if (rows[0]!.failed > 0) throw new Error(`${rows[0]!.failed} documents FAILED`);
    if (rows[0]!.done === ids.length) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]!.done}/${ids.length} classified in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitThumbnails(admin: pg.Pool, ids: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await admin.query<{ made: number }>(
      'select count(thumbnail_key)::int as made from documents where id = any($1::uuid[])',
      [ids],
    );
    if (rows[0]!.made === ids.length) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]!.made}/${ids.length} thumbnails made in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
