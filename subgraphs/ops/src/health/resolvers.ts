import type { HealthStatus as CheckStatus } from '@docuvault/shared/health/index';
import { credentialsOf } from '../auth/operator-fields.ts';
import { isOperator } from '../auth/operator.ts';
import type { HealthStatus, Resolvers } from '../generated/resolvers-types.ts';

/** A check's status (shared/src/health) as the schema's enum spells it. */
const STATUS: Record<CheckStatus, HealthStatus> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
const upper = (status: CheckStatus) => STATUS[status];

export const healthResolvers: Resolvers = {
  Query: {
    // Public: status and component names for anyone. A check's error (driver messages,
    // internal URLs and hosts) only for an operator; the log has it too (createReadiness).
    health: async (_, __, context) => {
      const report = await context.health();
      const operator = isOperator(credentialsOf(context));
      const checks = operator ? report.checks : report.checks.map((check) => ({ ...check, error: null }));
      return { status: upper(report.status), checks };
    },
  },
  HealthCheck: {
    status: (check) => upper(check.status),
  },
};
