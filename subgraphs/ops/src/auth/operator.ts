import type { IncomingHttpHeaders } from 'node:http';
import { isAdmin, type Principal } from '@docuvault/shared/auth/principal';
import { AppError } from '@docuvault/shared/errors/index';
import { opsTokenHeader, opsTokenMatches } from '@docuvault/shared/health/index';

// Everything ops answers is about every user and about our insides (queues, failed jobs
// with document ids and reasons, versions, migrations), so every field needs an operator:
// an administrator (the gateway's verified principal) or the operator token, for
// automation that has no account. Only `health` is public, and shows errors only to an
// operator (see health/resolvers.ts).

/** The credentials of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}

/** X-Ops-Token when sent (through the gateway), else the bearer of a direct call. */
export function presentedOpsToken(headers: IncomingHttpHeaders): string | undefined {
  return opsTokenHeader(headers) ?? bearerToken(headers.authorization);
}

export interface OperatorCredentials {
  /** OPS_TOKEN as configured on ops (undefined: token access is off). */
  configured: string | undefined;
  /** The token the request presented. */
  presented: string | undefined;
  principal: Principal;
}

/** An administrator, or the right operator token: no error, just yes or no. */
export function isOperator(credentials: OperatorCredentials): boolean {
  return isAdmin(credentials.principal) || opsTokenMatches(credentials.configured, credentials.presented);
}

/**
 * Passes for an operator. A presented token that cannot be right: FORBIDDEN when ops has
 * no OPS_TOKEN (token access is switched off, whatever is sent), UNAUTHENTICATED when it
 * is wrong. No token: UNAUTHENTICATED for a caller who is not signed in (signing in as an
 * administrator would help), FORBIDDEN for a signed-in user who is not an administrator.
 */
export function requireOperator(credentials: OperatorCredentials): void {
  if (isOperator(credentials)) return;
  const { configured, presented, principal } = credentials;
  if (presented !== undefined) {
    if (configured === undefined) {
      throw new AppError(
        'FORBIDDEN',
        'OPS_TOKEN is not configured on the ops service: only an administrator may do this',
      );
    }
    throw new AppError('UNAUTHENTICATED', 'The operator token is not valid');
  }
  if (principal.kind === 'user') {
    throw new AppError('FORBIDDEN', 'Only an administrator or the operator token (X-Ops-Token) may do this');
  }
  throw new AppError(
    'UNAUTHENTICATED',
    "This needs an administrator's access token or the operator token (X-Ops-Token)",
  );
}
