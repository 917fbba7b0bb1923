import { migrationStatus } from '@docuvault/shared/migrations/index';
import type { Resolvers } from '../generated/resolvers-types.ts';

export const migrationResolvers: Resolvers = {
  Query: {
    // The runner's own comparison, read through the runtime role: never a copy of its logic.
    migrationStatus: (_, __, context) => migrationStatus(context.pool, context.migrationsDir),
  },
};
