import { MikroORM } from '@mikro-orm/postgresql';
import { LEDGER_TABLE } from '../migrations/ledger.ts';
import { entities } from './entities/index.ts';
import { DEFAULT_TIMEOUTS, poolTimeouts, type DatabaseTimeouts } from './timeouts.ts';

export { databaseTimeouts, poolTimeouts, type DatabaseTimeouts } from './timeouts.ts';

export interface OrmOptions {
  /** The runtime role's URL (DATABASE_URL). */
  readonly url: string;
  readonly poolMax?: number;
  /** Log every query; for development only. */
  readonly debug?: boolean;
  /** Unset: the defaults of DATABASE_CONNECT_TIMEOUT_MS and DATABASE_QUERY_TIMEOUT_MS. */
  readonly timeouts?: DatabaseTimeouts;
}

/**
 * The ORM for every service. It never creates or changes the schema: that is the job of
 * migrations/ alone, and the runtime role could not anyway. The ledger is skipped so a
 * schema diff (tests) compares only what the entities describe.
 */
export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  return MikroORM.init({
    entities,
    clientUrl: options.url,
    pool: { max: options.poolMax ?? 10 },
    // Merged by the PostgreSQL driver into the options of its `pg` Pool.
    driverOptions: poolTimeouts(options.timeouts ?? DEFAULT_TIMEOUTS),
    debug: options.debug ?? false,
    allowGlobalContext: false,
    ensureDatabase: false,
    // Triggers and SQL functions (the search language detection, docs/adr/0016) are defined by
    // migrations only; the ORM would otherwise count them as drift and drop them.
    schemaGenerator: { skipTables: [LEDGER_TABLE], ignoreTriggers: true, ignoreRoutines: true },
  });
}
