export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One dependency probe. Throwing (or timing out) means `fail`. */
export interface HealthCheck {
  readonly component: string;
  /** IETF health format measurement name; latency unless the check says otherwise. */
  readonly measurement?: string;
  run(signal: AbortSignal): Promise<CheckOutcome | void>;
}

export interface CheckOutcome {
  status?: Exclude<HealthStatus, 'fail'>;
  output?: string;
  /** Replaces latency as the observed value (e.g. a count of connected workers). */
  observedValue?: number;
}

export interface CheckResult {
  component: string;
  measurement: string;
  status: HealthStatus;
  latencyMs: number;
  observedValue: number;
  checkedAt: Date;
  error: string | null;
}

export interface HealthReport {
  status: HealthStatus;
  checks: CheckResult[];
}

class CheckTimeout extends Error {}

export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const checkedAt = new Date();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeout(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const measurement = check.measurement ?? 'responseTime';
  try {
    const outcome = (await Promise.race([check.run(controller.signal), timeout])) ?? {};
    const latencyMs = round(performance.now() - started);
    return {
      component: check.component,
      measurement,
      status: outcome.status ?? 'pass',
      latencyMs,
      observedValue: outcome.observedValue ?? latencyMs,
      checkedAt,
      error: outcome.output ?? null,
    };
  } catch (error) {
    const latencyMs = round(performance.now() - started);
    return {
      component: check.component,
      measurement,
      status: 'fail',
      latencyMs,
      observedValue: latencyMs,
      checkedAt,
      error: describe(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

export async function runChecks(checks: readonly HealthCheck[], timeoutMs: number): Promise<HealthReport> {
  const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
  return { status: worst(results.map((r) => r.status)), checks: results };
}

export function worst(statuses: readonly HealthStatus[]): HealthStatus {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  return 'pass';
}

/**
 * Shares one in-flight or recent report between callers, so a storm of probes
 * costs the dependencies one round of checks per `ttlMs`.
 */
export function cachedReport(
  produce: () => Promise<HealthReport>,
  ttlMs: number,
): () => Promise<HealthReport> {
  let last: { at: number; report: Promise<HealthReport> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ttlMs) {
      const report = produce();
      last = { at: now, report };
      // A failed production must not be cached.
      report.catch(() => (last = undefined));
    }
    return last.report;
  };
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

const round = (ms: number) => Math.round(ms * 100) / 100;
