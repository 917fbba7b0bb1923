import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { sql, type RawBuilder } from 'kysely';

// SQL pieces the documents subgraph's repositories share, built on Kysely's `sql` tag
// (queries run through `db(em)`, @docuvault/shared/db/kysely). Every value is a real bind
// parameter ($1, $2, …); the column names given here are constants of our code, quoted
// as identifiers by `sql.ref`, never input.

/**
 * A timestamptz column as ISO-8601 text in UTC with all six fractional digits: exact for
 * cursors (a JS Date keeps milliseconds only) and independent of the session's DateStyle.
 */
export function isoTimestamp(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * The one place that scopes rows to a vault. `null` is the anonymous vault; a user's id
 * otherwise. `is null` / `=` (not `is not distinct from`) so the (user_id, created_at, id)
 * index applies. Usable as a query builder's `.where(…)` and inside a `sql` template.
 */
export function ownedBy(column: string, owner: string | null): RawBuilder<boolean> {
  return owner === null
    ? sql<boolean>`${sql.ref(column)} is null`
    : sql<boolean>`${sql.ref(column)} = ${owner}::uuid`;
}

/** One bind parameter holding a `uuid[]` (the driver sends the list as an array literal); empty is fine. */
export const uuidArray = (ids: readonly string[]): RawBuilder<string[]> => sql<string[]>`${[...ids]}::uuid[]`;

/** One bind parameter holding a `text[]`; empty is fine. */
export const textArray = (values: readonly string[]): RawBuilder<string[]> =>
  sql<string[]>`${[...values]}::text[]`;

/**
 * The SQLSTATE of a database error. Queries through Kysely surface the driver's own error
 * (pg's DatabaseError, `code` = SQLSTATE); MikroORM's `em.execute` and its unit of work
 * convert them into its exception classes. Both are recognised, so a mapping holds whichever
 * path the query took.
 */
const sqlState = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof UniqueConstraintViolationException || sqlState(error) === '23505';

export const isForeignKeyViolation = (error: unknown): boolean =>
  error instanceof ForeignKeyConstraintViolationException || sqlState(error) === '23503';
