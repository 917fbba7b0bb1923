import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AUDIT_INSERT_PG, auditParams } from '@docuvault/shared/audit/audit-log';
import { isAdmin, OPS_TOKEN_HEADER, type Principal } from '@docuvault/shared/auth/principal';
import { AppError } from '@docuvault/shared/errors/index';
import type { OpsContext } from '../context.ts';

// Operator mutations (retry, pause) change what the system does, so they need an
// administrator (the gateway's verified principal) or the operator token, for automation
// that has no account; reads need neither. The token is compared as SHA-256 digests with
// timingSafeEqual: equal lengths always, so neither its content nor its length leaks
// through timing.

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The credentials of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}

/** X-Ops-Token when sent (through the gateway), else the bearer of a direct call. */
export function presentedOpsToken(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[OPS_TOKEN_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  return bearerToken(headers.authorization);
}

/**
 * Passes for an admin. Otherwise FORBIDDEN when ops has no OPS_TOKEN (token access is
 * switched off, whatever is sent); UNAUTHENTICATED when the token is missing or wrong.
 */
export function requireOperator(
  opsToken: string | undefined,
  presented: string | undefined,
  principal?: Principal,
): void {
  if (principal && isAdmin(principal)) return;
  if (opsToken === undefined) {
    throw new AppError(
      'FORBIDDEN',
      'Operator actions need an administrator; OPS_TOKEN is not configured on the ops service',
    );
  }
  if (presented === undefined) {
    throw new AppError(
      'UNAUTHENTICATED',
      'Operator actions need an administrator or X-Ops-Token: <OPS_TOKEN>',
    );
  }
  if (!timingSafeEqual(digest(presented), digest(opsToken))) {
    throw new AppError('UNAUTHENTICATED', 'The operator token is not valid');
  }
}

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
    requireOperator(context.config.OPS_TOKEN, context.opsToken, context.principal);
    const result = await resolve(args, context);
    const entry = {
      actorId: context.principal.kind === 'user' ? context.principal.id : null,
      action: 'OPS_MUTATION' as const,
      target: `queue:${args.queue ?? 'classify'}`,
      requestId: context.requestId,
      ip: context.clientIp,
      details: { mutation, args, by: context.principal.kind === 'user' ? 'admin' : 'ops-token' },
    };
    await context.pool.query(AUDIT_INSERT_PG, auditParams(entry)).catch((error: unknown) => {
      context.logger.error({ err: error, entry }, 'could not write the audit line of an operator action');
    });
    return result;
  };
}
