export type HealthStatus = 'pass' | 'warn' | 'fail';

/** One dependency probe. Throwing (or timing out) means `fail`. */
export interface HealthCheck {
  readonly component: string;
  /** IETF health format measurement name; latency unless the check says otherwise. */
  readonly measurement?: string;
  /**
   * What this check failing means for the service as a whole: `fail` (the default) when
   * the service cannot do its main job without the dependency, `warn` when it still
   * serves, degraded (e.g. documents without Redis: uploads are enqueued later by the
   * sweeper). The check's own status stays `fail` either way: the report tells the truth
   * about the dependency and about the service.
   */
  readonly whenFailing?: 'fail' | 'warn';
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
  /** Its status as it counts for the service's (`warn` for a failing non-essential check). */
  impact: HealthStatus;
}

export interface HealthReport {
  status: HealthStatus;
  checks: CheckResult[];
}

class CheckTimeout extends Error {}

/**
 * A check's answer, or a timeout. When the timer fires, the answer may already be waiting
 * in the event loop's poll phase (a busy process runs timers first after a long task): it
 * gets one turn of the loop (setImmediate runs after the poll phase) before the check
 * counts as timed out, so a process under load does not report its dependencies down.
 */
function withTimeout<T>(work: Promise<T>, timeoutMs: number, controller: AbortController): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        controller.abort();
        reject(new CheckTimeout(`timed out after ${timeoutMs} ms`));
      });
    }, timeoutMs);
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const checkedAt = new Date();
  const controller = new AbortController();
  const measurement = check.measurement ?? 'responseTime';
  try {
    const work = Promise.resolve().then(() => check.run(controller.signal));
    const outcome = (await withTimeout(work, timeoutMs, controller)) ?? {};
    const latencyMs = round(performance.now() - started);
    const status = outcome.status ?? 'pass';
    return {
      component: check.component,
      measurement,
      status,
      latencyMs,
      observedValue: outcome.observedValue ?? latencyMs,
      checkedAt,
      error: outcome.output ?? null,
      impact: status,
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
      impact: check.whenFailing ?? 'fail',
    };
  }
}

/** Every check at once, each bounded by `timeoutMs`; the service's status is the worst impact. */
export async function runChecks(checks: readonly HealthCheck[], timeoutMs: number): Promise<HealthReport> {
  const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
  return { status: worst(results.map((r) => r.impact)), checks: results };
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

/**
 * The error's message with its causes (`fetch failed: connect ECONNREFUSED …`): for the
 * log and operators. Duck-typed: errors from another realm (undici's) are not `instanceof Error`.
 */
function describe(error: unknown, depth = 0): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, name, cause, errors } = error as {
    message?: unknown;
    name?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (Array.isArray(errors) && errors.length > 0) return describe(errors[0], depth);
  const text = typeof message === 'string' && message !== '' ? message : String(name ?? 'error');
  return cause !== undefined && depth < 3 ? `${text}: ${describe(cause, depth + 1)}` : text;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
