import type { MikroORM } from '@mikro-orm/postgresql';
import type pg from 'pg';

// Records what the ORM's pool sends to PostgreSQL, at the driver: queries through Kysely
// (`db(em)`) never reach MikroORM's `onQuery` hook, so counting there would miss them.

export interface SentStatement {
  readonly text: string;
  /** The bind parameters sent beside the text ($1, $2, …). */
  readonly values: readonly unknown[];
}

/** Transaction control is the ORM's bookkeeping, not a query of the feature under test. */
const TRANSACTION_CONTROL = /^\s*(begin|start transaction|commit|rollback|savepoint|release savepoint)\b/i;

/**
 * Calls `record` for every statement (transaction control left out) any client of the
 * ORM's pool sends from now on. Each client is wrapped once, when it is next checked out.
 */
export async function recordStatements(orm: MikroORM, record: (statement: SentStatement) => void) {
  const pool = await orm.em.getConnection().getNativeClient();
  const wrapped = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((config: unknown, values?: unknown, ...rest: unknown[]) => {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      const params = Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []);
      if (text !== undefined && !TRANSACTION_CONTROL.test(text)) record({ text, values: params });
      return send(config, values, ...rest);
    }) as typeof client.query;
  });
}
