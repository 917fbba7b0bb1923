import autocannon, { type Request } from 'autocannon';
import { cpuSecondsOf } from './proc-stats.ts';

// HTTP load with autocannon: a short warm-up (JIT, connection pools, caches), then the
// measured run. Latency percentiles are computed exactly from every response's time
// (autocannon's own summary has no p95). Every response body is checked: a GraphQL answer
// with `errors` counts as a failure, like a non-2xx status or a timeout, so a server that
// answers errors fast never passes for a fast server.

export const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
export const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);

export interface LoadOptions {
  url: string;
  /** GraphQL JSON bodies, sent in turn by each connection. */
  bodies: string[];
  /** Headers per body (e.g. a signature over it); default only the JSON content type. */
  headers?: (body: string, index: number) => Record<string, string>;
  connections: number;
  durationS?: number;
  warmupS?: number;
  /** Server processes whose CPU time per successful request to report (name → pid). */
  pids?: Record<string, number>;
}

export interface LoadResult {
  /** Successful responses per second. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  /** Non-2xx, GraphQL errors, connection errors and timeouts. */
  failed: number;
  connections: number;
  durationS: number;
  /**
   * With one connection, responses come back in the order the bodies are sent: p50 and
   * p95 of each body's responses, in the order of `bodies`. Empty with more connections.
   */
  perBody: { p50: number; p95: number }[];
  /** CPU milliseconds (user + system) each of `pids` spent per successful request. */
  cpuMsPerRequest: Record<string, number>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** One measured run of `durationS` seconds (no check, no warm-up). */
export async function once(options: LoadOptions, durationS: number): Promise<LoadResult> {
  // Headers are made per request: a subgraph accepts each signed call id once.
  const requests: Request[] = options.bodies.map((body, index) => ({
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    ...(options.headers
      ? {
          setupRequest: (request: Request) => ({
            ...request,
            headers: { 'content-type': 'application/json', ...options.headers?.(body, index) },
          }),
        }
      : {}),
  }));
  const latencies: number[] = [];
  const perBody: number[][] = options.bodies.map(() => []);
  let responses = 0;
  const pids = Object.entries(options.pids ?? {});
  const cpuBefore = pids.map(([, pid]) => cpuSecondsOf(pid));
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: durationS,
    requests,
    timeout: 30,
    verifyBody: (body) => !body.includes('"errors":'),
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    perBody[responses++ % perBody.length]!.push(ms);
  });
  const result = await instance;
  const cpuAfter = pids.map(([, pid]) => cpuSecondsOf(pid));
  const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
  const ok = result['2xx'] - result.mismatches;
  latencies.sort((a, b) => a - b);
  return {
    rps: ok / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    ok,
    failed,
    connections: options.connections,
    durationS: result.duration,
    perBody:
      options.connections === 1
        ? perBody.map((list) => {
            list.sort((a, b) => a - b);
            return { p50: percentile(list, 50), p95: percentile(list, 95) };
          })
        : [],
    cpuMsPerRequest: Object.fromEntries(
      pids.map(([name], i) => [name, ((cpuAfter[i]! - cpuBefore[i]!) * 1000) / Math.max(ok, 1)]),
    ),
  };
}

/** One request of each of the first bodies: each must answer data without errors. */
export async function check(options: LoadOptions): Promise<void> {
  for (const [index, body] of options.bodies.slice(0, 3).entries()) {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers?.(body, index) },
      body,
    });
    const text = await response.text();
    if (!response.ok || text.includes('"errors":')) {
      throw new Error(`${options.url} answered ${response.status} ${text.slice(0, 500)} to ${body}`);
    }
  }
}

export const warm = async (options: LoadOptions) => {
  const warmupS = options.warmupS ?? WARMUP_S;
  if (warmupS > 0) await once(options, warmupS);
};

/** One request of each body first (it must answer data without errors), a warm-up, then the measured run. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  await check(options);
  await warm(options);
  return once(options, options.durationS ?? DURATION_S);
}

/** POSTs one GraphQL operation; throws on errors. */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || body.errors || !body.data) {
    throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
  }
  return body.data;
}
