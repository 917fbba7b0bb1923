// The programmatic API: the CLI, the ops subgraph and the tests all go through it.
export type { Queryable } from './connection.ts';
export {
  MigrationConflictError,
  MigrationDriftError,
  MigrationError,
  MigrationFailedError,
  type ConflictSource,
} from './errors.ts';
export {
  defaultMigrationsDir,
  MigrationFileError,
  readMigrationDirectory,
  readMigrations,
  type MigrationFile,
} from './files.ts';
export { LEDGER_TABLE } from './ledger.ts';
export { ADVISORY_LOCK_KEY } from './lock.ts';
export { MigrationRoleError } from './role.ts';
export {
  migrateDown,
  migrateUp,
  type DownOptions,
  type DownResult,
  type MigrationLogger,
  type RunOptions,
  type UpResult,
} from './runner.ts';
export {
  assertSchemaCurrent,
  migrationStatus,
  schemaProblem,
  statusProblems,
  SchemaNotCurrentError,
  type MigrationEntry,
  type MigrationState,
  type MigrationStatus,
} from './status.ts';
export { baseline, repairLedger, resolve, type LedgerChange, type LedgerCommandOptions } from './repair.ts';
export { LEDGER_AUDIT_TABLE } from './ledger.ts';
