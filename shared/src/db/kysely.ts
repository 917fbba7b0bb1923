import type { EntityManager } from '@mikro-orm/postgresql';
import type { InferKyselyDB } from '@mikro-orm/sql';
import type { ColumnType, GeneratedAlways, Kysely } from 'kysely';
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
  ShareLinkSchema,
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
 * The entity schemas (defineEntity), not the classes: only a schema's type carries its
 * literal table name (`users`), so InferKyselyDB keys tables and columns as the database
 * names them. Over the classes every table name widens to `string` and nothing is checked.
 */
type Schemas =
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
  | typeof ShareLinkSchema
  | typeof ShareSchema
  | typeof TopicSchema
  | typeof UploadTicketSchema
  | typeof UserSchema;

/** Date → string, through unions (`Date | null` → `string | null`). */
type DateAsText<T> = T extends Date ? string : T;

/**
 * MikroORM's pool hands timestamps back as the server's text (createPostgreSqlTypeParsers
 * keeps date/timestamp/timestamptz raw), so a selected timestamp column is a string at run
 * time although the entity says Date: the type says so too. Writes take either. (bigint
 * columns, `p.bigint('number')`, come back as text too, which no type can tell from an
 * integer column: select them cast, `::float8`.)
 */
type TimestampsAsText<Column> =
  Column extends ColumnType<infer Select, infer Insert, infer Update>
    ? ColumnType<DateAsText<Select>, Insert | DateAsText<Insert>, Update | DateAsText<Update>>
    : ColumnType<DateAsText<Column>, Column | DateAsText<Column>, Column | DateAsText<Column>>;

type HonestTables<DB> = {
  [Table in keyof DB]: { [Column in keyof DB[Table]]: TimestampsAsText<DB[Table][Column]> };
};

/**
 * Columns the database computes (`generated always as … stored`): InferKyselyDB does not read
 * `.generated()` and would demand them in every insert. GeneratedAlways keeps them out of
 * inserts and updates, readable in selects.
 */
type WithGeneratedColumns<DB extends { documents: object }> = Omit<DB, 'documents'> & {
  documents: Omit<DB['documents'], 'search_vector'> & {
    search_vector: GeneratedAlways<string>;
  };
};

/** Every table, typed from the entities (table and column names as in the database). */
export type Database = WithGeneratedColumns<HonestTables<InferKyselyDB<Schemas>>>;
export type Db = Kysely<Database>;

/**
 * Kysely bound to `em`: inside `em.transactional(...)` its queries join that transaction;
 * outside one they run on the pool.
 */
export const db = (em: EntityManager): Db => em.getKysely<Database>();
