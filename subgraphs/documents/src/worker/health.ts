import { createServer } from 'node:http';
import { createReadiness, healthRouter, type HealthCheck } from '@docuvault/shared/health/index';
import { listen, type RunningServer } from '@docuvault/shared/http/listen';
import type { Logger } from '@docuvault/shared/logging/logger';
import express from 'express';

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
  // Probes from an orchestrator cost one round of checks per second at most (createReadiness).
  const ready = createReadiness({ service: 'worker', checks: options.checks, logger: options.logger });
  app.use(healthRouter({ service: 'worker', version: options.version, ready }));
  return listen(createServer(app), { host: options.host, port: options.port, logger: options.logger });
}
