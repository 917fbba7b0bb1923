import { sql, type RawBuilder } from 'kysely';

// Kysely fragments for the accounts, audit and classification repositories. Column names
// come from our code only (sql.ref quotes them as identifiers); values are bind parameters.

/**
 * A timestamptz column as ISO-8601 text in UTC with all six fractional digits: exact for
 * cursors (a JS Date keeps milliseconds only) and independent of the session's DateStyle.
 */
export const isoTimestamp = (column: string): RawBuilder<string> =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The one place that scopes rows to a vault. `null` is the anonymous vault; once users
 * exist, their id is passed instead. `is null` / `=` (not `is not distinct from`) so the
 * (user_id, …) indexes apply.
 */
export const ownedBy = (column: string, owner: string | null): RawBuilder<boolean> =>
  owner === null
    ? sql<boolean>`${sql.ref(column)} is null`
    : sql<boolean>`${sql.ref(column)} = ${owner}::uuid`;
