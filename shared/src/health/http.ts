import { Router, type Request } from 'express';
import type { HealthReport } from './checks.ts';
import { ownVersion } from './version.ts';

export interface HealthRouterOptions {
  service: string;
  version: string;
  ready: () => Promise<HealthReport>;
  /**
   * Whether this request may see each check's error (driver messages, internal URLs and
   * hosts): an operator's (a valid X-Ops-Token, or an administrator's token at the gateway).
   * Everyone else gets status and component names only; the errors are in the log.
   * Unset: nobody over HTTP.
   */
  showDetails?: (req: Request) => boolean | Promise<boolean>;
  /**
   * Who may read `/health/version` (commit, Node version, start time): everyone on a
   * subgraph's or the worker's internal port (ops collects them from there), operators
   * only (as `showDetails` decides) where clients reach it, at the gateway.
   */
  versionFor?: 'everyone' | 'operators';
}

/**
 * `/health/live` never looks at dependencies (a dead database must not get a
 * healthy process restarted); `/health/ready` answers 503 only when the service cannot do
 * its main job (a check whose failure only degrades it counts as `warn`, and answers 200).
 * Body: IETF "Health Check Response Format for HTTP APIs" (application/health+json).
 */
export function healthRouter(options: HealthRouterOptions) {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.type('application/health+json').json({ status: 'pass', serviceId: options.service });
  });
  // What build runs here and since when: ops lists every service's answer.
  const mayDetail = async (req: Request) => (options.showDetails ? options.showDetails(req) : false);
  router.get('/health/version', async (req, res, next) => {
    try {
      if (options.versionFor === 'operators' && !(await mayDetail(req))) {
        res.status(403).json({ error: 'an administrator or X-Ops-Token is needed' });
        return;
      }
      res.json(ownVersion(options.service, options.version));
    } catch (error) {
      next(error);
    }
  });
  router.get('/health/ready', async (req, res, next) => {
    try {
      const [report, details] = await Promise.all([options.ready(), mayDetail(req)]);
      res
        .status(report.status === 'fail' ? 503 : 200)
        .set('cache-control', 'no-store')
        .type('application/health+json')
        .json(toHealthJson(report, options, { details }));
    } catch (error) {
      next(error);
    }
  });
  return router;
}

export function toHealthJson(
  report: HealthReport,
  meta: { service: string; version: string },
  options: { details: boolean } = { details: false },
) {
  const checks: Record<string, object[]> = {};
  for (const check of report.checks) {
    const key = `${check.component}:${check.measurement}`;
    (checks[key] ??= []).push({
      status: check.status,
      observedValue: check.observedValue,
      observedUnit: check.measurement === 'responseTime' ? 'ms' : undefined,
      time: check.checkedAt.toISOString(),
      ...(options.details && check.error ? { output: check.error } : {}),
    });
  }
  return {
    status: report.status,
    serviceId: meta.service,
    ...(options.details ? { version: meta.version } : {}),
    checks,
  };
}
