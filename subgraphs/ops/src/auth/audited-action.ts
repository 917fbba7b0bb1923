import { insertAuditLine } from '@docuvault/shared/audit/audit-log';
import { isAdmin } from '@docuvault/shared/auth/principal';
import { db } from '@docuvault/shared/db/kysely';
import type { OpsContext } from '../context.ts';
import { credentialsOf } from './operator-fields.ts';
import { requireOperator } from './operator.ts';

/**
 * Wraps a mutation resolver: the operator is checked before any argument is looked at,
 * and what was done is written to the audit log once it is done. The queue change and
 * the row cannot share a transaction (Redis and PostgreSQL), so a failed audit write is
 * logged as an error rather than undoing the operator's action.
 */
export function operatorOnly<TArgs extends { queue?: string | null }, TResult>(
  mutation: string,
  resolve: (args: TArgs, context: OpsContext) => Promise<TResult>,
): (parent: unknown, args: TArgs, context: OpsContext) => Promise<TResult> {
  return async (_parent, args, context) => {
    requireOperator(credentialsOf(context));
    const result = await resolve(args, context);
    const entry = {
      actorId: context.principal.kind === 'user' ? context.principal.id : null,
      action: 'OPS_MUTATION' as const,
      target: `queue:${args.queue ?? 'classify'}`,
      requestId: context.requestId,
      ip: context.clientIp,
      details: { mutation, args, by: isAdmin(context.principal) ? 'admin' : 'ops-token' },
    };
    await insertAuditLine(db(context.em), entry).catch((error: unknown) => {
      context.logger.error({ err: error, entry }, 'could not write the audit line of an operator action');
    });
    return result;
  };
}
