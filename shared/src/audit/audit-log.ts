import { isIP } from 'node:net';

// The audit trail: who did what to what, from where, under which request. Rows are
// written by the service that performs the action, in the same transaction where the
// action has one (an upload's row, a delete), so an action and its audit line land or
// vanish together.

export const AUDIT_ACTIONS = [
  'SIGN_IN',
  'SIGN_IN_FAILED',
  'SIGN_OUT',
  'SIGN_OUT_EVERYWHERE',
  'REGISTER',
  'REFRESH_TOKEN_REUSED',
  'UPLOAD',
  'DELETE_DOCUMENT',
  'DELETE_FOLDER',
  'SET_QUOTA',
  /** A user deleted their own account (deleteAccount); DELETE_USER: an admin deleted one. */
  'DELETE_ACCOUNT',
  'DELETE_ACCOUNT_FAILED',
  'DELETE_USER',
  /** An operator mutation of ops; details name it and its arguments. */
  'OPS_MUTATION',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** The acting user; null for a guest or the anonymous vault. */
  readonly actorId: string | null;
  readonly action: AuditAction;
  /** What was acted on, as `kind:id` (`document:…`, `user:…`, `queue:classify`). */
  readonly target?: string | undefined;
  readonly requestId?: string | undefined;
  /** The client's address; anything that is not an IP address is left out. */
  readonly ip?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** Where an action came from: the request's id and the client's address (a context has both). */
export interface AuditOrigin {
  readonly requestId?: string | undefined;
  readonly clientIp?: string | undefined;
}

const COLUMNS = 'actor_id, action, target, request_id, ip, details';

/** Parameters in column order, for either placeholder style. */
export function auditParams(entry: AuditEntry): unknown[] {
  return [
    entry.actorId,
    entry.action,
    entry.target ?? null,
    entry.requestId ?? null,
    entry.ip !== undefined && isIP(entry.ip) !== 0 ? entry.ip : null,
    JSON.stringify(entry.details ?? {}),
  ];
}

/** For node-postgres (`$1` placeholders). */
export const AUDIT_INSERT_PG = `insert into audit_log (${COLUMNS}) values ($1::uuid, $2, $3, $4, $5::inet, $6::jsonb)`;

/** For MikroORM's `execute` (`?` placeholders). */
export const AUDIT_INSERT_ORM = `insert into audit_log (${COLUMNS}) values (?::uuid, ?, ?, ?, ?::inet, ?::jsonb)`;
