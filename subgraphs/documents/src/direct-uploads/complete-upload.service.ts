import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { AppError } from '@docuvault/shared/errors/index';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { findDocumentsByIds } from '../documents/documents.repository.ts';
import { parseId } from '../documents/input.ts';
import { isUniqueViolation } from '../data/query-helpers.ts';
import type { AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { quotaOf } from '../quotas/quotas.service.ts';
import {
  registerStoredDocument,
  type RegisteredDocument,
  type RegistrationDeps,
} from '../uploads/register-document.ts';
import { cleanFilename, defaultTitle } from '../uploads/uploads.service.ts';
import { ticketExpired, ticketNotFound } from './ticket-errors.ts';
import { findTicket, markCompleted, type TicketRecord } from './tickets.repository.ts';
import { removeQuietly, verifyUpload } from './verify-upload.ts';

export interface CompleteUploadDeps extends RegistrationDeps {
  readonly store: ObjectStore;
  readonly config: Pick<DocumentsConfig, 'UPLOAD_ALLOWED_TYPES' | 'UPLOAD_TICKET_GRACE_SECONDS'>;
}

/** Past its policy's expiry plus the grace a POST that started in time may need to finish. */
export function isPastGrace(
  ticket: Pick<TicketRecord, 'expiresAt'>,
  graceSeconds: number,
  now: Date,
): boolean {
  return ticket.expiresAt.getTime() + graceSeconds * 1000 < now.getTime();
}

/** What a completed ticket became; a duplicate ticket remembers the earlier document. */
async function rememberedDocument(
  deps: CompleteUploadDeps,
  owner: string | null,
  ticketId: string,
  documentId: string,
): Promise<RegisteredDocument> {
  const document = (await findDocumentsByIds(deps.em, owner, [documentId])).get(documentId);
  if (!document) throw ticketNotFound(ticketId);
  return { document, duplicate: documentId !== ticketId };
}

const isQuotaExceeded = (error: unknown) => error instanceof AppError && error.code === 'QUOTA_EXCEEDED';

/**
 * Verifies what the client POSTed for the ticket and registers it exactly as a GraphQL
 * upload is registered (registerStoredDocument: UPLOADED, charged to the owner's quota,
 * duplicate detection, audit line, classify job). Idempotent: a completed ticket answers
 * its document again. An upload that does not fit in the quota (QUOTA_EXCEEDED) is
 * removed and the ticket stays open: the client may free space, POST again and complete
 * while the ticket lasts.
 */
export async function completeUpload(
  deps: CompleteUploadDeps,
  owner: string | null,
  ticketId: string,
  origin: AuditOrigin,
  now = new Date(),
): Promise<RegisteredDocument> {
  const ticket = await findTicket(deps.em, owner, parseId(ticketId, 'ticketId'));
  if (!ticket) throw ticketNotFound(ticketId);
  if (ticket.completedDocumentId)
    return rememberedDocument(deps, owner, ticket.id, ticket.completedDocumentId);
  if (isPastGrace(ticket, deps.config.UPLOAD_TICKET_GRACE_SECONDS, now)) {
    await removeQuietly(deps.store, ticket.objectKey);
    throw ticketExpired(ticket.id);
  }
  const quota = await quotaOf(deps.em, owner);
  const stored = await verifyUpload(deps.store, ticket, deps.config.UPLOAD_ALLOWED_TYPES, quota);
  let result: RegisteredDocument;
  try {
    result = await registerStoredDocument(deps, {
      // The ticket's id: a second completion racing this one finds this very row.
      documentId: ticket.id,
      owner,
      folderId: ticket.folderId,
      title: ticket.title ?? defaultTitle(cleanFilename(ticket.filename)),
      // Stored without bidirectional controls; the name as sent goes to the audit line.
      filename: cleanFilename(ticket.filename),
      ...(cleanFilename(ticket.filename) === ticket.filename ? {} : { submittedFilename: ticket.filename }),
      declaredMimeType: ticket.declaredContentType,
      stored,
      requestId: origin.requestId,
      clientIp: origin.clientIp,
    });
  } catch (error) {
    // A racing completion registered the ticket's document first (with other bytes, or
    // its ticket row update not yet visible): that document is the answer.
    if (isUniqueViolation(error)) return rememberedDocument(deps, owner, ticket.id, ticket.id);
    // The copy is gone already (registerStoredDocument); the upload itself goes too.
    if (isQuotaExceeded(error)) await removeQuietly(deps.store, ticket.objectKey);
    throw error;
  }
  await markCompleted(deps.em, ticket.id, result.document.id);
  // The document has its own copy; a failed removal is left to the ticket sweeper.
  await removeQuietly(deps.store, ticket.objectKey);
  return result;
}
