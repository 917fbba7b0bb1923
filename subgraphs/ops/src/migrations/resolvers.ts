import { readMigrationStatus } from '@docuvault/shared/db/migration-status';
import type { Resolvers } from '../generated/resolvers-types.ts';

export const migrationResolvers: Resolvers = {
  Query: {
    // The runner's own comparison of files and ledger, read through the runtime role's
    // ORM pool (shared/src/db/migration-status.ts): never a copy of its logic.
    migrationStatus: (_, __, context) => readMigrationStatus(context.em, context.migrationsDir),
  },
};
