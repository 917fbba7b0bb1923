import type { CheckResult } from '@docuvault/shared/health/index';
import { credentialsOf } from '../auth/operator-fields.ts';
import { isOperator } from '../auth/operator.ts';
import type { OpsContext } from '../context.ts';

const upper = (status: string) => status.toUpperCase();

export const healthResolvers = {
  Query: {
    // Public: status and component names for anyone. A check's error (driver messages,
    // internal URLs and hosts) only for an operator; the log has it too (createReadiness).
    health: async (_: unknown, __: unknown, context: OpsContext) => {
      const report = await context.health();
      const operator = isOperator(credentialsOf(context));
      const checks = operator ? report.checks : report.checks.map((check) => ({ ...check, error: null }));
      return { status: upper(report.status), checks };
    },
  },
  HealthCheck: {
    status: (check: CheckResult) => upper(check.status),
  },
};
