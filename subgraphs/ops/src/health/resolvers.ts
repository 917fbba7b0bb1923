import type { CheckResult } from '@docuvault/shared/health/index';
import type { OpsContext } from '../context.ts';

const upper = (status: string) => status.toUpperCase();

export const healthResolvers = {
  Query: {
    health: async (_: unknown, __: unknown, context: OpsContext) => {
      const report = await context.health();
      return { status: upper(report.status), checks: report.checks };
    },
  },
  HealthCheck: {
    status: (check: CheckResult) => upper(check.status),
  },
};
