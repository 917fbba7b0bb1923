import { loadConfigOrExit, workerEnv } from '@docuvault/shared/config/index';
import { stopOnSignals } from '@docuvault/shared/http/shutdown';
import { createLogger } from '@docuvault/shared/logging/logger';
import { startWorkerRuntime } from './worker/runtime.ts';

// The classification worker: consumes the classify queue (text extraction, topics,
// training), serves /health/live and /health/ready on WORKER_HEALTH_PORT. Run more of them
// against the same Redis to scale out.

const config = loadConfigOrExit('worker', workerEnv);
const logger = createLogger('worker', config.LOG_LEVEL);
const runtime = await startWorkerRuntime(config, { logger, searchPath: process.env.PATH ?? '' });
// The grace of stopOnSignals covers the job grace plus closing connections.
stopOnSignals(logger, () => runtime.close(), config.WORKER_SHUTDOWN_GRACE_MS + 10_000);
