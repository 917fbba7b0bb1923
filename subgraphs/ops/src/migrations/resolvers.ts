import { migrationStatus } from '@docuvault/shared/migrations/index';
import type { OpsContext } from '../context.ts';

export const migrationResolvers = {
  Query: {
    // The runner's own comparison, read through the runtime role: never a copy of its logic.
    migrationStatus: (_: unknown, __: unknown, context: OpsContext) =>
      migrationStatus(context.pool, context.migrationsDir),
  },
};
