import { createHash } from 'node:crypto';
import type { EntityManager, PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { RawBuilder } from 'kysely';
import { db } from './kysely.ts';

// Statements sent as PostgreSQL prepared statements, named after their text: each connection
// parses one once, and from its sixth run PostgreSQL plans it once and keeps that plan when it is
// estimated no costlier than planning for the values (plan_cache_mode = auto). For the search
// page, planning was most of what a broad word cost: over the 100 000-document seed its
// statement took 0.5–0.8 ms of PostgreSQL CPU prepared against 1.2–1.6 ms sent as a new statement
// each time (docs/adr/0028-search-statements-prepared.md). Only for statements whose text comes
// from a bounded set of shapes (values are always bind parameters, see kysely.ts): each name
// costs memory in every connection that ran it.

/** Distinct statements a process prepares; past that, statements run unnamed as any other. */
export const MAX_PREPARED_STATEMENTS = 100;

const named = new Set<string>();
let disabled = false;

const nameOf = (text: string): string => `dv_${createHash('sha1').update(text).digest('base64url')}`;

/**
 * Why a connection can no longer run its prepared statements, for as long as it lives:
 * - 0A000: PostgreSQL refuses a statement whose result columns changed type since it was
 *   prepared (a migration altered one while the service ran);
 * - 26000 and 42P05: the server does not hold the statements the connection prepared, or holds
 *   another's, i.e. a pooler between them hands each transaction another server connection (or
 *   ran DISCARD ALL).
 * Prepared statements are then off for the process (until it restarts) and the statement runs
 * again unnamed.
 */
function preparedStatementsBroken(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (code === '26000' || code === '42P05') return true;
  return code === '0A000' && /cached plan must not change result type/.test(String(message));
}

/**
 * The rows of `query`, run as a prepared statement on the pool. Inside a transaction, and once
 * MAX_PREPARED_STATEMENTS names are taken, as an ordinary statement on `em`'s connection.
 */
export async function executePrepared<R>(em: EntityManager, query: RawBuilder<R>): Promise<R[]> {
  const kysely = db(em);
  const compiled = query.compile(kysely);
  const { sql: text, parameters } = compiled;
  const name = nameOf(text);
  const preparable =
    !disabled && !em.isInTransaction() && (named.has(name) || named.size < MAX_PREPARED_STATEMENTS);
  if (!preparable) return (await kysely.executeQuery(compiled)).rows;
  named.add(name);
  const pool = await (em.getConnection() as PostgreSqlConnection).getNativeClient();
  try {
    return (await pool.query<R & object>({ name, text, values: [...parameters] })).rows;
  } catch (error) {
    if (!preparedStatementsBroken(error)) throw error;
    disabled = true;
    process.emitWarning(
      `PostgreSQL could not run a prepared statement (${(error as Error).message}); prepared statements are off until restart.`,
      { code: 'DOCUVAULT_PREPARED_STATEMENTS_OFF' },
    );
    return (await kysely.executeQuery(compiled)).rows;
  }
}

/** Whether prepared statements are still in use in this process (see preparedStatementsBroken). */
export const preparedStatementsInUse = (): boolean => !disabled;
