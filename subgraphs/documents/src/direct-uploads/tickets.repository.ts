import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { isoTimestamp, ownedBy } from '../data/query-helpers.ts';

// upload_tickets: a ticket is read, inserted, completed and swept, nothing more.

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

const COLUMNS = [
  'id',
  'user_id as owner',
  'object_key as objectKey',
  'filename',
  'declared_content_type as declaredContentType',
  // bigint comes back from the driver as text.
  sql<number>`max_size_bytes::float8`.as('maxSizeBytes'),
  'title',
  'folder_id as folderId',
  isoTimestamp('expires_at').as('expiresAt'),
  'completed_document_id as completedDocumentId',
] as const;

const toRecord = (row: TicketRow): TicketRecord => ({ ...row, expiresAt: new Date(row.expiresAt) });

export async function insertTicket(em: EntityManager, ticket: Omit<TicketRecord, 'completedDocumentId'>) {
  await db(em)
    .insertInto('upload_tickets')
    .values({
      id: ticket.id,
      user_id: ticket.owner,
      object_key: ticket.objectKey,
      filename: ticket.filename,
      declared_content_type: ticket.declaredContentType,
      max_size_bytes: ticket.maxSizeBytes,
      title: ticket.title,
      folder_id: ticket.folderId,
      expires_at: sql<string>`${ticket.expiresAt.toISOString()}::timestamptz`,
    })
    .execute();
}

/** The owner's ticket; undefined for another vault's ticket as for an unknown id. */
export async function findTicket(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<TicketRecord | undefined> {
  const row = await db(em)
    .selectFrom('upload_tickets')
    .select(COLUMNS)
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Remembers the document a ticket became, so completing it again answers the same one. */
export async function markCompleted(em: EntityManager, id: string, documentId: string): Promise<void> {
  await db(em)
    .updateTable('upload_tickets')
    .set({ completed_document_id: documentId })
    .where('id', '=', id)
    .execute();
}

/** Tickets whose policy expired before `before`, oldest first. */
export async function findExpiredTickets(
  em: EntityManager,
  before: Date,
  limit: number,
): Promise<TicketRecord[]> {
  const rows = await db(em)
    .selectFrom('upload_tickets')
    .select(COLUMNS)
    .where('expires_at', '<', sql<string>`${before.toISOString()}::timestamptz`)
    .orderBy('expires_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}

export async function deleteTicket(em: EntityManager, id: string): Promise<void> {
  await db(em).deleteFrom('upload_tickets').where('id', '=', id).execute();
}
