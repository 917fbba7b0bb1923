import type { EntityManager } from '@mikro-orm/postgresql';
import type { InferKyselyDB } from '@mikro-orm/sql';
import type { GeneratedAlways, Kysely } from 'kysely';
import type {
  AuditLogEntrySchema,
  ClassifierModelSchema,
  CloudConnectionSchema,
  DeletedAccountSchema,
  DocumentSchema,
  DocumentTopicSchema,
  FolderSchema,
  GroupMemberSchema,
  GroupSchema,
  ObjectRemovalSchema,
  QuotaSchema,
  RefreshTokenSchema,
  ShareSchema,
  TopicSchema,
  UploadTicketSchema,
  UserSchema,
} from './entities/index.ts';

// The one way services reach PostgreSQL: MikroORM's entities are the typed model, and
// queries go through its Kysely integration, which sends every value as a real bind
// parameter ($1, $2, …), never spliced into the SQL text. Kysely's `sql` tag serves the
// statements that read better as SQL (ranked search, conditional quota updates) with the
// same guarantee.

/**
 * Every table, typed from the entities (table and column names as in the database).
 * Built from the `defineEntity` schemas, not the entity classes: only a schema carries its
 * table name and property builders, which is what InferKyselyDB reads (given the classes it
 * yields tables without columns). Keep in step with `entities` in entities/index.ts.
 */
export type Database = WithGeneratedColumns<InferredDatabase>;

type InferredDatabase = InferKyselyDB<
  | typeof AuditLogEntrySchema
  | typeof ClassifierModelSchema
  | typeof CloudConnectionSchema
  | typeof DeletedAccountSchema
  | typeof DocumentSchema
  | typeof DocumentTopicSchema
  | typeof FolderSchema
  | typeof GroupMemberSchema
  | typeof GroupSchema
  | typeof ObjectRemovalSchema
  | typeof QuotaSchema
  | typeof RefreshTokenSchema
  | typeof ShareSchema
  | typeof TopicSchema
  | typeof UploadTicketSchema
  | typeof UserSchema
>;

/**
 * Columns the database computes (`generated always as … stored`): InferKyselyDB does not read
 * `.generated()`, and would demand them in every insert. Kysely's GeneratedAlways keeps them
 * out of inserts and updates and readable in selects.
 */
type WithGeneratedColumns<DB extends InferredDatabase> = Omit<DB, 'documents'> & {
  documents: Omit<DB['documents'], 'search_vector'> & { search_vector: GeneratedAlways<string> };
};

export type Db = Kysely<Database>;

/**
 * Kysely bound to `em`: inside `em.transactional(...)` its queries join that transaction;
 * outside one they run on the pool.
 */
export const db = (em: EntityManager): Db => em.getKysely<Database>();
