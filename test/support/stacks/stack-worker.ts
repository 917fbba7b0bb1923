import {
  startWorkerRuntime,
  type WorkerRuntime,
  type WorkerRuntimeOptions,
} from '@docuvault/documents/worker/runtime';
import { loadConfig, workerEnv } from '@docuvault/shared/config/index';
import { testS3 } from '../s3.ts';
import type { Stack } from './system.ts';

/**
 * A real worker, in the test's process, on the whole stack's database, Redis prefix and
 * bucket: what `npm run worker` would be beside it. `env` goes on top of the test defaults
 * (silent logs, OCR off); `options` as startWorkerRuntime takes them (health port 0 unless given).
 */
export function startStackWorker(
  stack: Stack,
  env: Record<string, string> = {},
  options: WorkerRuntimeOptions = {},
): Promise<WorkerRuntime> {
  const { documents } = stack;
  const s3 = testS3();
  const config = loadConfig('worker', workerEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: documents.database.appUrl,
    REDIS_URL: documents.deps.config.REDIS_URL,
    REDIS_PREFIX: documents.deps.config.REDIS_PREFIX,
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ROOT_USER: s3.accessKey,
    MINIO_ROOT_PASSWORD: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: documents.bucket.bucket,
    OCR: 'off',
    ...env,
  });
  return startWorkerRuntime(config, { healthPort: 0, ...options });
}
