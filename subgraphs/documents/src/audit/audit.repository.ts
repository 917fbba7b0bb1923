import { insertAuditLine, type AuditEntry, type AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { isoTimestamp } from '../data/fragments.ts';
import type { ListCursor } from '../documents/cursor.ts';

/**
 * Writes one audit line with the request's id and client address, in the caller's
 * transaction when `em` is a transaction's (the action and its line land together).
 */
export async function recordAudit(
  em: EntityManager,
  origin: AuditOrigin,
  entry: Omit<AuditEntry, 'requestId' | 'ip'>,
): Promise<void> {
  await insertAuditLine(db(em), { ...entry, requestId: origin.requestId, ip: origin.clientIp });
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

/**
 * Newest first, keyset-paged on (at, id). Lines written in one transaction share `at`
 * (now() is the transaction's start); the id orders them stably.
 */
export async function listAudit(
  em: EntityManager,
  after: ListCursor | undefined,
  limit: number,
): Promise<AuditRecord[]> {
  const rows = await db(em)
    .selectFrom('audit_log as a')
    .select([
      'a.id',
      isoTimestamp('a.at').as('at'),
      'a.actor_id as actorId',
      sql<boolean>`exists (select 1 from deleted_accounts d
                           where d.user_id = a.actor_id and d.deleted_at >= a.at)`.as('actorDeleted'),
      'a.action',
      'a.target',
      'a.request_id as requestId',
      sql<string | null>`host(a.ip)`.as('ip'),
      sql<string>`a.details::text`.as('details'),
    ])
    // Strictly after the cursor; `a.at <=` lets the index on `at` (there is none on (at, id)) bound the scan.
    .$if(after !== undefined, (query) =>
      query.where(
        sql<boolean>`a.at <= ${after?.createdAt}::timestamptz
                     and (a.at, a.id) < (${after?.createdAt}::timestamptz, ${after?.id}::uuid)`,
      ),
    )
    .orderBy('a.at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, at: new Date(row.at), atExact: row.at }));
}
