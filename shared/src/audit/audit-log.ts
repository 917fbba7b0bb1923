import { isIP } from 'node:net';
import { sql } from 'kysely';
import type { Db } from '../db/kysely.ts';

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
  /** Groups (admins): details carry the name, or the member's user id. */
  'CREATE_GROUP',
  'RENAME_GROUP',
  'DELETE_GROUP',
  'ADD_GROUP_MEMBER',
  'REMOVE_GROUP_MEMBER',
  /** Shares of a document or folder with a user or group (target `share:…`; details: object, grantee, role). */
  'CREATE_SHARE',
  'UPDATE_SHARE',
  'REVOKE_SHARE',
  /** Public share links (actor: the owner; target: the document; details: the link id). */
  'SHARE_LINK_CREATE',
  'SHARE_LINK_UPDATE',
  'SHARE_LINK_REVOKE',
  /** A download URL issued through a public link: no actor, the link id in details. */
  'SHARE_LINK_DOWNLOAD',
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

/** The client's address when it is one; anything else is left out. */
const addressOf = (ip: string | undefined): string | null => (ip !== undefined && isIP(ip) !== 0 ? ip : null);

/**
 * Writes one audit line through the data layer (bind parameters): in the caller's
 * transaction when `kysely` is a transaction's (db(em) inside em.transactional).
 */
export async function insertAuditLine(kysely: Db, entry: AuditEntry): Promise<void> {
  await kysely
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      target: entry.target ?? null,
      request_id: entry.requestId ?? null,
      ip: addressOf(entry.ip),
      details: sql<Record<string, unknown>>`${JSON.stringify(entry.details ?? {})}::jsonb`,
    })
    .execute();
}

/** Parameters in column order, for AUDIT_INSERT_PG. */
export function auditParams(entry: AuditEntry): unknown[] {
  return [
    entry.actorId,
    entry.action,
    entry.target ?? null,
    entry.requestId ?? null,
    addressOf(entry.ip),
    JSON.stringify(entry.details ?? {}),
  ];
}

/**
 * For a bare node-postgres connection (`$1` placeholders): the runtime-privileges test
 * writes as the runtime role without any service code. Services use insertAuditLine.
 */
export const AUDIT_INSERT_PG = `insert into audit_log (${COLUMNS}) values ($1::uuid, $2, $3, $4, $5::inet, $6::jsonb)`;
