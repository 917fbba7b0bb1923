import { Router } from 'express';
import type { HealthReport } from './checks.ts';
import { ownVersion } from './version.ts';

/**
 * `/health/live` never looks at dependencies (a dead database must not get a
 * healthy process restarted); `/health/ready` answers 503 unless every
 * dependency of this service answers. Body: IETF "Health Check Response Format
 * for HTTP APIs" (application/health+json).
 */
export function healthRouter(options: {
  service: string;
  version: string;
  ready: () => Promise<HealthReport>;
}) {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.type('application/health+json').json({ status: 'pass', serviceId: options.service });
  });
  // What build runs here and since when: ops lists every service's answer.
  router.get('/health/version', (_req, res) => {
    res.json(ownVersion(options.service, options.version));
  });
  router.get('/health/ready', async (_req, res) => {
    const report = await options.ready();
    res
      .status(report.status === 'fail' ? 503 : 200)
      .type('application/health+json')
      .json(toHealthJson(report, options));
  });
  return router;
}

export function toHealthJson(report: HealthReport, meta: { service: string; version: string }) {
  const checks: Record<string, object[]> = {};
  for (const check of report.checks) {
    const key = `${check.component}:${check.measurement}`;
    (checks[key] ??= []).push({
      status: check.status,
      observedValue: check.observedValue,
      observedUnit: check.measurement === 'responseTime' ? 'ms' : undefined,
      time: check.checkedAt.toISOString(),
      ...(check.error ? { output: check.error } : {}),
    });
  }
  return { status: report.status, serviceId: meta.service, version: meta.version, checks };
}
