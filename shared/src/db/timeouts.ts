import type { PoolConfig } from 'pg';
import { database } from '../config/env-schema.ts';

/** Bounds on every wait for PostgreSQL (DATABASE_CONNECT_TIMEOUT_MS, DATABASE_QUERY_TIMEOUT_MS). */
export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for one from a full pool. */
  readonly connectMs: number;
  /** One statement: cancelled by the server, and given up by the driver shortly after. */
  readonly queryMs: number;
}

/** The timeouts a service's config sets. */
export function databaseTimeouts(config: {
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_QUERY_TIMEOUT_MS: number;
}): DatabaseTimeouts {
  return { connectMs: config.DATABASE_CONNECT_TIMEOUT_MS, queryMs: config.DATABASE_QUERY_TIMEOUT_MS };
}

export const DEFAULT_TIMEOUTS = databaseTimeouts({
  DATABASE_CONNECT_TIMEOUT_MS: database.DATABASE_CONNECT_TIMEOUT_MS.parse(undefined),
  DATABASE_QUERY_TIMEOUT_MS: database.DATABASE_QUERY_TIMEOUT_MS.parse(undefined),
});

/**
 * What `pg` is told so that no request waits on the database without a limit. A stalled
 * server (stopped, or its host gone) answers nothing: statement_timeout cannot help then,
 * so the driver's own query_timeout ends the wait a second later, and a connection
 * attempt (or a wait for a free pooled connection) ends after connectionTimeoutMillis.
 * Keep-alive finds connections whose server vanished without a word.
 */
export function poolTimeouts(timeouts: DatabaseTimeouts): PoolConfig {
  return {
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.queryMs,
    query_timeout: timeouts.queryMs + 1_000,
    // A transaction left open by a client that stalled holds locks: the server ends it.
    idle_in_transaction_session_timeout: timeouts.queryMs * 2,
    keepAlive: true,
  };
}
