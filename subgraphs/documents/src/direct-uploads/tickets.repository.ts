import { constant, execute, isoTimestamp, ownedBy, query, queryOne, sql } from '../documents/sql.ts';
import type { EntityManager } from '@mikro-orm/postgresql';

// upload_tickets, with the subgraph's SQL helpers: a ticket is read, inserted, completed and
// swept, nothing more.

export interface TicketRecord {
  id: string;
  owner: string | null;
  objectKey: string;
  filename: string;
  declaredContentType: string;
  maxSizeBytes: number;
  /** Null only for rows written by hand: requestUpload always stores the title. */
  title: string | null;
  folderId: string | null;
  expiresAt: Date;
  completedDocumentId: string | null;
}

type TicketRow = Omit<TicketRecord, 'expiresAt'> & { expiresAt: string };

const COLUMNS = constant(
  `t.id, t.user_id as "owner", t.object_key as "objectKey", t.filename,
   t.declared_content_type as "declaredContentType", t.max_size_bytes::float8 as "maxSizeBytes",
   t.title, t.folder_id as "folderId", ${isoTimestamp('t.expires_at')} as "expiresAt",
   t.completed_document_id as "completedDocumentId"`,
);

const toRecord = (row: TicketRow): TicketRecord => ({ ...row, expiresAt: new Date(row.expiresAt) });

export async function insertTicket(em: EntityManager, ticket: Omit<TicketRecord, 'completedDocumentId'>) {
  await execute(
    em,
    sql`insert into upload_tickets (id, user_id, object_key, filename, declared_content_type, max_size_bytes,
                                    title, folder_id, expires_at)
        values (${ticket.id}::uuid, ${ticket.owner}::uuid, ${ticket.objectKey}, ${ticket.filename},
                ${ticket.declaredContentType}, ${ticket.maxSizeBytes}, ${ticket.title}, ${ticket.folderId}::uuid,
                ${ticket.expiresAt.toISOString()}::timestamptz)`,
  );
}

/** The owner's ticket; undefined for another vault's ticket as for an unknown id. */
export async function findTicket(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<TicketRecord | undefined> {
  const row = await queryOne<TicketRow>(
    em,
    sql`select ${COLUMNS} from upload_tickets t where t.id = ${id}::uuid and ${ownedBy('t.user_id', owner)}`,
  );
  return row && toRecord(row);
}

/** Remembers the document a ticket became, so completing it again answers the same one. */
export async function markCompleted(em: EntityManager, id: string, documentId: string): Promise<void> {
  await execute(
    em,
    sql`update upload_tickets set completed_document_id = ${documentId}::uuid where id = ${id}::uuid`,
  );
}

/** Tickets whose policy expired before `before`, oldest first. */
export async function findExpiredTickets(
  em: EntityManager,
  before: Date,
  limit: number,
): Promise<TicketRecord[]> {
  const rows = await query<TicketRow>(
    em,
    sql`select ${COLUMNS} from upload_tickets t
        where t.expires_at < ${before.toISOString()}::timestamptz
        order by t.expires_at, t.id
        limit ${limit}`,
  );
  return rows.map(toRecord);
}

export async function deleteTicket(em: EntityManager, id: string): Promise<void> {
  await execute(em, sql`delete from upload_tickets where id = ${id}::uuid`);
}
