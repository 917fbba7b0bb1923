import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@docuvault/shared/errors/index';
import type { OpsContext } from '../context.ts';

// Operator mutations (retry, pause) change what the system does, so they need the
// operator token; reads do not. The token is compared as SHA-256 digests with
// timingSafeEqual: equal lengths always, so neither its content nor its length leaks
// through timing.

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The credentials of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}

/**
 * FORBIDDEN when ops has no OPS_TOKEN (operator actions are switched off, whatever is
 * sent); UNAUTHENTICATED when the bearer token is missing or wrong.
 */
export function requireOperator(opsToken: string | undefined, authorization: string | undefined): void {
  if (opsToken === undefined) {
    throw new AppError(
      'FORBIDDEN',
      'Operator actions are disabled: OPS_TOKEN is not configured on the ops service',
    );
  }
  const presented = bearerToken(authorization);
  if (presented === undefined) {
    throw new AppError('UNAUTHENTICATED', 'Operator actions need Authorization: Bearer <OPS_TOKEN>');
  }
  if (!timingSafeEqual(digest(presented), digest(opsToken))) {
    throw new AppError('UNAUTHENTICATED', 'The operator token is not valid');
  }
}

/** Wraps a mutation resolver: the token is checked before any argument is looked at. */
export function operatorOnly<TArgs, TResult>(
  resolve: (args: TArgs, context: OpsContext) => Promise<TResult>,
): (parent: unknown, args: TArgs, context: OpsContext) => Promise<TResult> {
  return async (_parent, args, context) => {
    requireOperator(context.config.OPS_TOKEN, context.authorization);
    return resolve(args, context);
  };
}
