import { MikroORM } from '@mikro-orm/postgresql';
import { LEDGER_TABLE } from '../migrations/ledger.ts';
import { entities } from './entities/index.ts';

export interface OrmOptions {
  /** The runtime role's URL (DATABASE_URL). */
  readonly url: string;
  readonly poolMax?: number;
  /** Log every query; for development only. */
  readonly debug?: boolean;
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
    debug: options.debug ?? false,
    allowGlobalContext: false,
    ensureDatabase: false,
    schemaGenerator: { skipTables: [LEDGER_TABLE] },
  });
}
