import { AppError } from './app-error.ts';

// The one place that tells a dependency outage (PostgreSQL, Redis or S3 down, restarting,
// overloaded or too slow) from a bug. Drivers report outages in their own words: Node's
// socket codes, PostgreSQL SQLSTATEs, ioredis and pg messages without a code, S3 error
// codes, abort and timeout errors. An outage is the client's to retry, so it answers
// SERVICE_UNAVAILABLE with a retry hint; its raw text (addresses, ports) goes only to the log.

/** How long a client should wait before retrying after an outage (extensions.retryAfterSeconds). */
export const RETRY_AFTER_SECONDS = 5;

export type Dependency = 'postgres' | 'redis' | 'objectStore' | 'network';

export interface DependencyOutage {
  readonly dependency: Dependency;
  /** The driver's own words, for the log only. */
  readonly detail: string;
}

/** Socket-level failures: the peer is down, unreachable, or went away mid-call. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), class 53
 * (insufficient resources: too many connections, disk full), 57P01-57P05 (shutting down,
 * crashed, starting up, idle-session timeout), 57014 (statement cancelled by a timeout).
 */
const isPostgresOutageState = (code: string) =>
  /^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code) || code === '57014';

/** S3 error codes that mean "the store cannot serve now", not "your request is wrong". */
const OBJECT_STORE_CODES = new Set([
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'XMinioServerNotInitialized',
]);

/** Driver messages that carry no code (pg's pool and client, ioredis). */
const OUTAGE_MESSAGES: readonly [RegExp, Dependency][] = [
  [/^timeout exceeded when trying to connect$/i, 'postgres'],
  // pg's query_timeout (DATABASE_QUERY_TIMEOUT_MS): a server that answers nothing at all.
  [/^Query read timeout$/i, 'postgres'],
  [/^Connection terminated( unexpectedly| due to connection timeout)?$/i, 'postgres'],
  [/^Client has encountered a connection error and is not queryable$/i, 'postgres'],
  [/the database system is (starting up|shutting down|in recovery mode)/i, 'postgres'],
  [/^Connection is closed\.?$/i, 'redis'],
  [/^Stream isn't writeable and enableOfflineQueue options is false$/i, 'redis'],
  [/^Reached the max retries per request limit/i, 'redis'],
  [/^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY) /, 'redis'],
  // A socket error already turned into text (a subgraph that answered with it, `connect
  // ECONNREFUSED 127.0.0.1:5432`): the code survives only in the message.
  [/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/, 'network'],
];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function classifyOne(error: ErrorLike): Dependency | undefined {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = typeof error.message === 'string' ? error.message : '';
  if (code !== undefined && NETWORK_CODES.has(code)) return 'network';
  if (code !== undefined && isPostgresOutageState(code)) return 'postgres';
  if (code !== undefined && OBJECT_STORE_CODES.has(code)) return 'objectStore';
  if (error.name === 'MaxRetriesPerRequestError') return 'redis';
  // AbortSignal.timeout() and the drivers' own timeouts.
  if (error.name === 'TimeoutError' || error.name === 'KnexTimeoutError') return 'network';
  for (const [pattern, dependency] of OUTAGE_MESSAGES) if (pattern.test(message)) return dependency;
  return undefined;
}

/**
 * The outage behind `error` (its cause chain and aggregated errors included: a failed
 * connect to `localhost` is an AggregateError of one per address), or undefined for
 * anything else. Our own errors are never outages: an AppError already says what it is.
 */
export function dependencyOutage(error: unknown): DependencyOutage | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof AppError) return undefined;
    const candidate = current as ErrorLike;
    const dependency = classifyOne(candidate);
    if (dependency !== undefined) return { dependency, detail: describe(current) };
    pending.push(candidate.cause);
    if (Array.isArray(candidate.errors)) pending.push(...(candidate.errors as unknown[]));
  }
  return undefined;
}

const describe = (error: object) => {
  const { name, message, code } = error as ErrorLike;
  return [name, code, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
};

/** What the client sees for any outage: the code, a retry hint, nothing of the driver's text. */
export function serviceUnavailable(
  message = 'A service this request needs is unavailable right now; retry shortly',
): AppError {
  return new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}
