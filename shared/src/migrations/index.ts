// The programmatic API: the CLI, the ops subgraph and the tests all go through it.
export type { Queryable } from './connection.ts';
export {
  MigrationConflictError,
  MigrationDriftError,
  MigrationError,
  MigrationFailedError,
} from './errors.ts';
export { defaultMigrationsDir, MigrationFileError, readMigrations, type MigrationFile } from './files.ts';
export { LEDGER_TABLE } from './ledger.ts';
export {
  ADVISORY_LOCK_KEY,
  migrateDown,
  migrateUp,
  type DownResult,
  type MigrationLogger,
  type RunOptions,
  type UpResult,
} from './runner.ts';
export {
  assertSchemaCurrent,
  migrationStatus,
  schemaProblem,
  SchemaNotCurrentError,
  type MigrationEntry,
  type MigrationState,
  type MigrationStatus,
} from './status.ts';
