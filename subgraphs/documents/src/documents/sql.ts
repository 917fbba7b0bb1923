import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

// Raw SQL for the documents subgraph's features (documents, topics, folders). The queries
// need keyset pagination, ranked full-text search and recursive folder walks, which read
// more plainly as SQL than as QueryBuilder chains. Values always travel as parameters of
// `em.execute`, never spliced into the text by us: MikroORM inlines them as escaped
// literals (its PostgreSQL platform's escapeLiteral, as its QueryBuilder does too).

const FRAGMENT = Symbol('sql');

export interface Sql {
  readonly [FRAGMENT]: true;
  readonly text: string;
  readonly params: readonly unknown[];
}

const fragment = (text: string, params: readonly unknown[]): Sql => ({ [FRAGMENT]: true, text, params });
const isSql = (value: unknown): value is Sql =>
  typeof value === 'object' && value !== null && FRAGMENT in value;

/**
 * Tagged template: `${value}` becomes a parameter, `${sql`…`}` is spliced with its own
 * parameters. MikroORM's placeholder is `?` (and `??` an identifier), so our SQL must
 * never contain a literal `?`: checked here rather than discovered as a strange query.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = '';
  const params: unknown[] = [];
  strings.forEach((part, index) => {
    if (part.includes('?')) throw new Error('a literal "?" in SQL would be read as a placeholder');
    text += part;
    if (index >= values.length) return;
    const value = values[index];
    if (isSql(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      if (value === undefined) throw new Error('undefined SQL parameter');
      // Two placeholders side by side would read as `??`, the identifier placeholder.
      text += text.endsWith('?') ? ' ?' : '?';
      params.push(value);
    }
  });
  return fragment(text, params);
}

/** A constant piece of SQL written in our code (never built from input). */
export function constant(text: string): Sql {
  if (text.includes('?')) throw new Error('a literal "?" in SQL would be read as a placeholder');
  return fragment(text, []);
}

/**
 * A timestamptz column as ISO-8601 text in UTC with all six fractional digits: exact for
 * cursors (a JS Date keeps milliseconds only) and independent of the session's DateStyle.
 */
export function isoTimestamp(column: string): string {
  if (!/^[a-z_]+(\.[a-z_]+)?$/.test(column)) throw new Error(`not a column name: ${column}`);
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Joins fragments with a separator (e.g. ' and '); an empty list gives `empty`. */
export function join(parts: readonly Sql[], separator: string, empty = ''): Sql {
  if (parts.length === 0) return fragment(empty, []);
  return fragment(
    parts.map((part) => part.text).join(separator),
    parts.flatMap((part) => part.params),
  );
}

/** `array[…]::uuid[]`; an empty list is a valid empty array. */
export const uuidArray = (ids: readonly string[]): Sql =>
  ids.length === 0 ? fragment('array[]::uuid[]', []) : fragment('array[?]::uuid[]', [ids]);

/** `array[…]::text[]`; an empty list is a valid empty array. */
export const textArray = (values: readonly string[]): Sql =>
  values.length === 0 ? fragment('array[]::text[]', []) : fragment('array[?]::text[]', [values]);

/**
 * The one place that scopes rows to a vault. `null` is the anonymous vault; once users
 * exist, their id is passed instead. `is null` / `=` (not `is not distinct from`) so the
 * (user_id, created_at, id) index applies.
 */
export function ownedBy(column: string, owner: string | null): Sql {
  if (!/^[a-z_]+(\.[a-z_]+)?$/.test(column)) throw new Error(`not a column name: ${column}`);
  return owner === null ? fragment(`${column} is null`, []) : fragment(`${column} = ?::uuid`, [owner]);
}

export async function query<Row>(em: EntityManager, statement: Sql): Promise<Row[]> {
  return em.execute<Row[]>(statement.text, [...statement.params]);
}

export async function queryOne<Row>(em: EntityManager, statement: Sql): Promise<Row | undefined> {
  const rows = await query<Row>(em, statement);
  return rows[0];
}

/** Runs a statement for its effect; answers the number of rows it touched. */
export async function execute(em: EntityManager, statement: Sql): Promise<number> {
  const result = await em.execute<{ affectedRows: number }>(statement.text, [...statement.params], 'run');
  return result.affectedRows;
}

export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof UniqueConstraintViolationException;
export const isForeignKeyViolation = (error: unknown): boolean =>
  error instanceof ForeignKeyConstraintViolationException;
