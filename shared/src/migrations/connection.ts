import pg from 'pg';

/** What the status functions need: a pg Client, PoolClient or Pool all fit. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** Runs `fn` on one fresh connection and always closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'docuvault-migrate' });
  // A connection lost while idle is emitted as an event, which would crash the process;
  // the next query on the client rejects anyway, and that is where it gets reported.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Uses the caller's connection when given one, else opens (and closes) a connection to the URL. */
export async function withQueryable<T>(
  target: Queryable | string,
  fn: (db: Queryable) => Promise<T>,
): Promise<T> {
  return typeof target === 'string' ? withClient(target, fn) : fn(target);
}

export function isDatabaseError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError;
}
