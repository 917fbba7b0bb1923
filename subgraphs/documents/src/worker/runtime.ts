import type { WorkerConfig } from '@docuvault/shared/config/index';
import { createOrm, databaseTimeouts } from '@docuvault/shared/db/orm';
import {
  objectStoreCheck,
  postgresCheck,
  redisCheck,
  type HealthCheck,
} from '@docuvault/shared/health/index';
import { schemaCurrentCheck } from '@docuvault/shared/health/schema-check';
import type { RunningServer } from '@docuvault/shared/http/listen';
import { createLogger, type Logger } from '@docuvault/shared/logging/logger';
import { createObjectStore } from '@docuvault/shared/object-store/client';
import { createClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import { QUEUE_NAMES } from '@docuvault/shared/queue/jobs';
import { createRedis } from '@docuvault/shared/queue/redis';
import type { Worker } from 'bullmq';
import { markFailedIfPending } from '../classification/classification.repository.ts';
import { scheduleLabelCheck } from '../classification/enqueue.ts';
import { ModelCache } from '../classification/model-cache.ts';
import { wordVectors } from '../classification/model/word-vectors.ts';
import { RegexSandbox } from '../classification/rules/regex-sandbox.ts';
import { ExtractionSandbox, type SandboxSettings } from '../classification/text/extraction-sandbox.ts';
import { findOcrTools } from '../classification/text/ocr/engine.ts';
import { createThumbnailQueue } from '../thumbnails/thumbnail-queue.ts';
import { DocumentCancellations } from './document-cancellations.ts';
import { createHandlers } from './handlers.ts';
import { startHealthServer } from './health.ts';
import { createJobWorker, stopJobWorker } from './job-runner.ts';
import { OwnerSlots } from './owner-slots.ts';

export interface WorkerRuntimeOptions {
  logger?: Logger;
  /** Where tesseract/pdftoppm are looked for (the process's PATH). */
  searchPath?: string;
  /** Overrides WORKER_HEALTH_PORT (0: any free port, for tests). */
  healthPort?: number;
}

export interface WorkerRuntime {
  /** The classify queue's worker. */
  readonly worker: Worker;
  /** The thumbnails queue's worker; undefined with THUMBNAIL_CONCURRENCY=0. */
  readonly thumbnailWorker: Worker | undefined;
  readonly health: RunningServer;
  /** Graceful: running jobs finish (or are handed back after the grace period), then everything closes. */
  close(): Promise<void>;
}

function extractionSettings(config: WorkerConfig, searchPath: string, logger: Logger): SandboxSettings {
  return {
    memoryLimitMb: config.EXTRACTION_MEMORY_LIMIT_MB,
    timeoutMs: config.EXTRACTION_TIMEOUT_SECONDS * 1000,
    limits: {
      textLimitBytes: config.EXTRACTED_TEXT_LIMIT_BYTES,
      maxPages: config.EXTRACTION_MAX_PAGES,
      zip: {
        maxUnzippedBytes: config.EXTRACTION_MAX_UNZIPPED_BYTES,
        maxRatio: config.EXTRACTION_MAX_ZIP_RATIO,
      },
    },
    ocr: {
      mode: config.OCR,
      languages: config.OCR_LANGUAGES,
      maxPages: config.OCR_MAX_PAGES,
      pageTimeoutMs: config.OCR_PAGE_TIMEOUT_SECONDS * 1000,
      maxPixels: config.OCR_MAX_PIXELS,
    },
    searchPath,
    report: ({ peakRssBytes, ...facts }) =>
      logger[facts.outcome === 'extracted' ? 'debug' : 'info'](
        { ...facts, peakRssMb: Math.round(peakRssBytes / (1024 * 1024)) },
        'text extraction',
      ),
  };
}

/** Everything a worker process runs: the job worker, its dependencies, its health endpoints. */
export async function startWorkerRuntime(
  config: WorkerConfig,
  options: WorkerRuntimeOptions = {},
): Promise<WorkerRuntime> {
  const logger = options.logger ?? createLogger('worker', config.LOG_LEVEL);
  const orm = await createOrm({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    timeouts: databaseTimeouts(config),
  });
  const store = createObjectStore(config);
  // Both connections retry forever: a worker outlives a Redis restart without losing work.
  const queueRedis = createRedis(config.REDIS_URL, 'worker');
  const queue = createClassifyQueue(queueRedis, config.REDIS_PREFIX);
  const thumbnailQueue = createThumbnailQueue(queueRedis, config.REDIS_PREFIX);
  const regex = new RegexSandbox(config.CLASSIFIER_REGEX_TIMEOUT_MS);
  const searchPath = options.searchPath ?? '';
  // The extraction processes detect it themselves; this is what the log says.
  const ocr = config.OCR === 'off' ? undefined : findOcrTools(searchPath);
  if (config.OCR === 'auto' && !ocr?.pdftoppm)
    logger.warn(
      { tesseract: ocr?.tesseract ?? null, pdftoppm: ocr?.pdftoppm ?? null },
      'OCR incomplete: scans that need the missing command end FAILED until it is installed (tesseract-ocr, poppler-utils)',
    );
  logger.info(
    {
      ocr:
        config.OCR === 'off'
          ? 'off'
          : ocr
            ? `tesseract ${config.OCR_LANGUAGES}${ocr.pdftoppm ? ' + pdftoppm' : ''}`
            : 'none',
      concurrency: config.WORKER_CONCURRENCY,
      thumbnailConcurrency: config.THUMBNAIL_CONCURRENCY,
      extractionMemoryLimitMb: config.EXTRACTION_MEMORY_LIMIT_MB,
    },
    'worker starting',
  );
  // Before the first job, not inside it: the first start of an installation converts the
  // package's vectors (about 20 s, in a child process), later starts read the cached file.
  const vectorsStarted = performance.now();
  const vectors = wordVectors();
  logger.info(
    { wordVectors: vectors.name, ms: Math.round(performance.now() - vectorsStarted) },
    'word vectors loaded',
  );
  const cancellations = await DocumentCancellations.start(config.REDIS_URL, config.REDIS_PREFIX, logger);
  const extraction = new ExtractionSandbox(extractionSettings(config, searchPath, logger));
  const handlers = createHandlers({
    em: orm.em,
    store,
    logger,
    regex,
    models: new ModelCache(logger),
    extraction,
    cancellations,
    thumbnails: {
      store,
      logger,
      settings: {
        memoryLimitMb: config.THUMBNAIL_MEMORY_LIMIT_MB,
        timeoutMs: config.THUMBNAIL_TIMEOUT_SECONDS * 1000,
        searchPath,
      },
    },
    ownerSlots: new OwnerSlots(queueRedis, {
      prefix: config.REDIS_PREFIX,
      heavyBytes: config.WORKER_HEAVY_JOB_BYTES,
      perOwner: config.WORKER_HEAVY_JOBS_PER_OWNER,
    }),
    queue,
    thumbnailQueue,
    retrainDebounceMs: config.CLASSIFIER_RETRAIN_DEBOUNCE_MS,
  });
  const onDocumentFailed = (documentId: string, reason: string) =>
    markFailedIfPending(orm.em.fork(), documentId, reason);
  const workerRedis = createRedis(config.REDIS_URL, 'worker');
  const worker = createJobWorker({
    config,
    queue: QUEUE_NAMES.classify,
    concurrency: config.WORKER_CONCURRENCY,
    connection: workerRedis,
    handlers,
    logger,
    onDocumentFailed,
  });
  // Its own blocking connection and slots: a slow thumbnail never holds a classification.
  const thumbnailRedis =
    config.THUMBNAIL_CONCURRENCY > 0 ? createRedis(config.REDIS_URL, 'worker') : undefined;
  const thumbnailWorker =
    thumbnailRedis &&
    createJobWorker({
      config,
      queue: QUEUE_NAMES.thumbnails,
      concurrency: config.THUMBNAIL_CONCURRENCY,
      connection: thumbnailRedis,
      handlers,
      logger,
      onDocumentFailed,
    });
  await scheduleLabelCheck(queue, config.CLASSIFIER_LABEL_CHECK_SECONDS);
  const schema = schemaCurrentCheck(orm.em);
  // Ready = can classify now: jobs come from Redis, objects from the store, results go to
  // PostgreSQL; without any of them every job fails or waits.
  const checks: HealthCheck[] = [
    postgresCheck(() => orm.em.getConnection().execute('select 1'), { whenFailing: 'fail' }),
    schema,
    redisCheck(queueRedis, { whenFailing: 'fail' }),
    objectStoreCheck(store, { whenFailing: 'fail' }),
  ];
  const health = await startHealthServer({
    host: config.HOST,
    port: options.healthPort ?? config.WORKER_HEALTH_PORT,
    version: config.GIT_COMMIT,
    checks,
    logger,
  });
  return {
    worker,
    thumbnailWorker,
    health,
    async close() {
      await Promise.all([
        stopJobWorker(worker, config.WORKER_SHUTDOWN_GRACE_MS, logger),
        thumbnailWorker && stopJobWorker(thumbnailWorker, config.WORKER_SHUTDOWN_GRACE_MS, logger),
      ]);
      cancellations.close();
      extraction.close();
      await health.close();
      await queue.close();
      await thumbnailQueue.close();
      // BullMQ closes only the connections it made itself.
      workerRedis.disconnect();
      thumbnailRedis?.disconnect();
      queueRedis.disconnect();
      await regex.close();
      await orm.close();
    },
  };
}
