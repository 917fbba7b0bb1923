import {
  AUDIT_INSERT_ORM,
  auditParams,
  type AuditEntry,
  type AuditOrigin,
} from '@docuvault/shared/audit/audit-log';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ListCursor } from '../documents/cursor.ts';
import { constant, isoTimestamp, query, sql } from '../documents/sql.ts';

/**
 * Writes one audit line with the request's id and client address, in the caller's
 * transaction when `em` is a transaction's (the action and its line land together).
 */
export async function recordAudit(
  em: EntityManager,
  origin: AuditOrigin,
  entry: Omit<AuditEntry, 'requestId' | 'ip'>,
): Promise<void> {
  const line = { ...entry, requestId: origin.requestId, ip: origin.clientIp };
  await em.execute(AUDIT_INSERT_ORM, auditParams(line), 'run');
}

export interface AuditRecord {
  id: string;
  at: Date;
  /** `at` at microsecond precision, for cursors. */
  atExact: string;
  actorId: string | null;
  actorDeleted: boolean;
  action: string;
  target: string | null;
  requestId: string | null;
  ip: string | null;
  /** The details object as JSON text. */
  details: string;
}

type AuditRow = Omit<AuditRecord, 'at' | 'atExact'> & { at: string };

/** Strictly after the cursor; `a.at <=` lets the index on `at` (there is none on (at, id)) bound the scan. */
const afterCursor = (after: ListCursor) =>
  sql`a.at <= ${after.createdAt}::timestamptz
      and (a.at, a.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`;

/**
 * Newest first, keyset-paged on (at, id). Lines written in one transaction share `at`
 * (now() is the transaction's start); the id orders them stably.
 */
export async function listAudit(
  em: EntityManager,
  after: ListCursor | undefined,
  limit: number,
): Promise<AuditRecord[]> {
  const rows = await query<AuditRow>(
    em,
    sql`select a.id, ${constant(isoTimestamp('a.at'))} as at, a.actor_id as "actorId",
               a.actor_deleted as "actorDeleted", a.action, a.target,
               a.request_id as "requestId", host(a.ip) as ip, a.details::text as details
        from audit_log a
        where ${after ? afterCursor(after) : constant('true')}
        order by a.at desc, a.id desc
        limit ${limit}`,
  );
  return rows.map((row) => ({ ...row, at: new Date(row.at), atExact: row.at }));
}
