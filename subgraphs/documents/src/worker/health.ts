import { createServer } from 'node:http';
import { cachedReport, healthRouter, runChecks, type HealthCheck } from '@docuvault/shared/health/index';
import { listen, type RunningServer } from '@docuvault/shared/http/listen';
import type { Logger } from '@docuvault/shared/logging/logger';
import express from 'express';

const CHECK_TIMEOUT_MS = 2_000;
/** Probes from an orchestrator every few seconds cost one round of checks per second at most. */
const REPORT_TTL_MS = 1_000;

/** `/health/live` and `/health/ready` of the worker (it serves nothing else over HTTP). */
export async function startHealthServer(options: {
  host: string;
  port: number;
  version: string;
  checks: readonly HealthCheck[];
  logger: Logger;
}): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const ready = cachedReport(() => runChecks(options.checks, CHECK_TIMEOUT_MS), REPORT_TTL_MS);
  app.use(healthRouter({ service: 'worker', version: options.version, ready }));
  return listen(createServer(app), { host: options.host, port: options.port, logger: options.logger });
}
