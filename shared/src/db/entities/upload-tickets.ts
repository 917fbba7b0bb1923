import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.ts';
import { Document } from './documents.ts';
import { Folder } from './folders.ts';
import { User } from './users.ts';

/**
 * A presigned direct upload in flight: what the client promised (name, type, size) so that
 * `completeUpload` can verify the object and register the document the same way as a
 * GraphQL upload.
 */
export const UploadTicketSchema = defineEntity({
  name: 'UploadTicket',
  tableName: 'upload_tickets',
  properties: {
    id: uuidPk(),
    user: () => p.manyToOne(User).nullable().deleteRule('cascade').index(),
    objectKey: p.text().unique(),
    filename: p.text(),
    declaredContentType: p.text(),
    maxSizeBytes: p.bigint('number'),
    title: p.text().nullable(),
    folder: () => p.manyToOne(Folder).nullable().deleteRule('set null'),
    // Swept once expired and not completed.
    expiresAt: p.datetime().index(),
    completedDocument: () => p.manyToOne(Document).nullable().deleteRule('set null'),
    createdAt: createdAt(),
  },
  checks: [{ name: 'upload_tickets_max_size_bytes_check', expression: 'max_size_bytes > 0' }],
});
export class UploadTicket extends UploadTicketSchema.class {}
UploadTicketSchema.setClass(UploadTicket);
