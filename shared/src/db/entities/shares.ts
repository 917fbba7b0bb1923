import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.ts';
import { Document } from './documents.ts';
import { Folder } from './folders.ts';
import { Group } from './groups.ts';
import { User } from './users.ts';

export const SHARE_PERMISSIONS = ['READ', 'WRITE'] as const;
export type SharePermission = (typeof SHARE_PERMISSIONS)[number];

/** Grants one user or one group access to one document or one folder (and what is inside it). */
export const ShareSchema = defineEntity({
  name: 'Share',
  tableName: 'shares',
  properties: {
    id: uuidPk(),
    document: () => p.manyToOne(Document).nullable().deleteRule('cascade').index(),
    folder: () => p.manyToOne(Folder).nullable().deleteRule('cascade').index(),
    granteeUser: () => p.manyToOne(User).nullable().deleteRule('cascade'),
    granteeGroup: () => p.manyToOne(Group).nullable().deleteRule('cascade'),
    permission: p.enum(SHARE_PERMISSIONS).default('READ'),
    // Kept when the granting user is deleted: the grant outlives who made it.
    createdBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    createdAt: createdAt(),
  },
  // "Shared with me" starts from the grantee; the target columns ride along in the index.
  indexes: [
    {
      name: 'shares_grantee_user_id_document_id_folder_id_index',
      properties: ['granteeUser', 'document', 'folder'],
    },
    {
      name: 'shares_grantee_group_id_document_id_folder_id_index',
      properties: ['granteeGroup', 'document', 'folder'],
    },
  ],
  uniques: [
    {
      // One share per object and grantee; each row leaves one target and one grantee null.
      name: 'shares_target_grantee_unique',
      expression:
        'create unique index "shares_target_grantee_unique" on "shares" ("document_id", "folder_id", "grantee_user_id", "grantee_group_id") nulls not distinct',
    },
  ],
  checks: [
    { name: 'shares_one_target_check', expression: 'num_nonnulls(document_id, folder_id) = 1' },
    { name: 'shares_one_grantee_check', expression: 'num_nonnulls(grantee_user_id, grantee_group_id) = 1' },
  ],
});
export class Share extends ShareSchema.class {}
ShareSchema.setClass(Share);
