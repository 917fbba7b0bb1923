import { readMigrationStatus } from '@docuvault/shared/db/migration-status';
import type { OpsContext } from '../context.ts';

export const migrationResolvers = {
  Query: {
    // The runner's own comparison of files and ledger, read through the runtime role's
    // ORM pool (shared/src/db/migration-status.ts): never a copy of its logic.
    migrationStatus: (_: unknown, __: unknown, context: OpsContext) =>
      readMigrationStatus(context.em, context.migrationsDir),
  },
};
