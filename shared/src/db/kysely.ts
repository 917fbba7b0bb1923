import type { EntityManager } from '@mikro-orm/postgresql';
import type { InferKyselyDB } from '@mikro-orm/sql';
import type { Kysely } from 'kysely';
import type { entities } from './entities/index.ts';

// The one way services reach PostgreSQL: MikroORM's entities are the typed model, and
// queries go through its Kysely integration, which sends every value as a real bind
// parameter ($1, $2, …), never spliced into the SQL text. Kysely's `sql` tag serves the
// statements that read better as SQL (ranked search, conditional quota updates) with the
// same guarantee.

/** Every table, typed from the entities (table and column names as in the database). */
export type Database = InferKyselyDB<(typeof entities)[number]>;
export type Db = Kysely<Database>;

/**
 * Kysely bound to `em`: inside `em.transactional(...)` its queries join that transaction;
 * outside one they run on the pool.
 */
export const db = (em: EntityManager): Db => em.getKysely<Database>();
