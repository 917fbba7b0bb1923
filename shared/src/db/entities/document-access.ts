import { defineEntity, p } from '@mikro-orm/core';
import { Document } from './documents.ts';
import { Group } from './groups.ts';
import { SHARE_PERMISSIONS, Share } from './shares.ts';
import { User } from './users.ts';

/**
 * Who may read a document besides its owner: one row per recipient, document and the share
 * that grants it. Written only by the database's triggers (the runtime role reads it), kept
 * true in the same transaction as every share, membership, document and folder change:
 * migrations/2026-12-04T15-45-00-create-document-access.sql.
 */
export const DocumentAccessSchema = defineEntity({
  name: 'DocumentAccess',
  tableName: 'document_access',
  properties: {
    share: () => p.manyToOne(Share).primary().deleteRule('cascade').updateRule('no action'),
    user: () => p.manyToOne(User).primary().deleteRule('cascade').updateRule('no action'),
    document: () => p.manyToOne(Document).primary().deleteRule('cascade').updateRule('no action'),
    /** The group the share reached the user through; null for a share made with them. */
    group: () => p.manyToOne(Group).nullable().deleteRule('cascade'),
    permission: p.enum(SHARE_PERMISSIONS),
    /** The document's created_at: "shared with me, newest first" walks the index below. */
    createdAt: p.datetime(),
  },
  indexes: [
    {
      // permission rides along: a page of "shared with me" and its roles come from the index alone.
      name: 'document_access_user_id_created_at_document_id_index',
      expression:
        'create index "document_access_user_id_created_at_document_id_index" on "document_access" ("user_id", "created_at", "document_id") include ("permission")',
    },
    { name: 'document_access_document_id_user_id_index', properties: ['document', 'user'] },
  ],
});
export class DocumentAccess extends DocumentAccessSchema.class {}
DocumentAccessSchema.setClass(DocumentAccess);
