import type { Logger } from '../logging/logger.ts';
import { cachedReport, runChecks, type HealthCheck, type HealthReport, type HealthStatus } from './checks.ts';

export interface ReadinessOptions {
  service: string;
  checks: readonly HealthCheck[];
  logger: Logger;
  /** Each probe's limit: a hung dependency is a failed one after this long. */
  timeoutMs?: number;
  /** One round of checks serves every caller for this long (probe storms cost nothing). */
  ttlMs?: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;
export const DEFAULT_REPORT_TTL_MS = 1_000;

/**
 * A service's readiness: its checks run together, each with a timeout, and one round (in
 * flight or younger than `ttlMs`) is shared by every caller, so a burst of probes costs
 * the dependencies one round and the endpoint keeps answering. What changed is logged
 * with the dependency's own error (clients see it only as an operator): a component that
 * starts failing is a warning, one that recovers an info line, once each.
 */
export function createReadiness(options: ReadinessOptions): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const last = new Map<string, HealthStatus>();
  const produce = async () => {
    const report = await runChecks(options.checks, timeoutMs);
    for (const check of report.checks) {
      const before = last.get(check.component) ?? 'pass';
      last.set(check.component, check.status);
      if (before === check.status) continue;
      const line = {
        service: options.service,
        component: check.component,
        status: check.status,
        was: before,
        error: check.error,
      };
      if (check.status === 'pass') options.logger.info(line, 'dependency check recovered');
      else options.logger.warn(line, 'dependency check is not passing');
    }
    return report;
  };
  return cachedReport(produce, options.ttlMs ?? DEFAULT_REPORT_TTL_MS);
}
