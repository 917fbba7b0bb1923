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
 * PostgreSQL refuses to run a prepared statement whose result columns changed type since it was
 * prepared (a migration altered one); the connection keeps refusing it. Prepared statements are
 * then off for the process (until it restarts) and the statement runs again unnamed.
 */
const isStaleResultType = (error: unknown): boolean =>
  (error as { code?: string }).code === '0A000' &&
  /cached plan must not change result type/.test(String((error as Error).message));

/**
 * The rows of `query`, run as a prepared statement on the pool. Inside a transaction, and once
 * MAX_PREPARED_STATEMENTS names are taken, as an ordinary statement on `em`'s connection.
 */
export async function executePrepared<R>(em: EntityManager, query: RawBuilder<R>): Promise<R[]> {
  const kysely = db(em);
  const { sql: text, parameters } = query.compile(kysely);
  const name = nameOf(text);
  const preparable =
    !disabled && !em.isInTransaction() && (named.has(name) || named.size < MAX_PREPARED_STATEMENTS);
  if (!preparable) return (await query.execute(kysely)).rows;
  named.add(name);
  const pool = await (em.getConnection() as PostgreSqlConnection).getNativeClient();
  try {
    return (await pool.query<R & object>({ name, text, values: [...parameters] })).rows;
  } catch (error) {
    if (!isStaleResultType(error)) throw error;
    disabled = true;
    process.emitWarning(
      'A prepared statement outlived a change of its result columns; prepared statements are off until restart.',
      { code: 'DOCUVAULT_PREPARED_STATEMENTS_OFF' },
    );
    return (await query.execute(kysely)).rows;
  }
}

/** Whether prepared statements are still in use in this process (off after a stale result type). */
export const preparedStatementsInUse = (): boolean => !disabled;
