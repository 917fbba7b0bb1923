import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, updatedAt, uuidPk } from './columns.ts';
import { User } from './users.ts';

export const FolderSchema = defineEntity({
  name: 'Folder',
  tableName: 'folders',
  properties: {
    id: uuidPk(),
    // Null: owned by the anonymous (no-auth) vault, like documents.user_id.
    user: () => p.manyToOne(User).nullable().deleteRule('cascade'),
    parent: () => p.manyToOne(Folder).nullable().deleteRule('cascade').index(),
    name: p.text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  checks: [
    { name: 'folders_name_not_blank_check', expression: "btrim(name) <> ''" },
    { name: 'folders_not_own_parent_check', expression: 'parent_id <> id' },
  ],
  uniques: [
    {
      // Sibling names are unique; NULLS NOT DISTINCT so two root folders (parent null) or two
      // anonymous folders (user null) with one name also collide.
      name: 'folders_user_id_parent_id_name_unique',
      expression:
        'create unique index "folders_user_id_parent_id_name_unique" on "folders" ("user_id", "parent_id", "name") nulls not distinct',
    },
  ],
});
export class Folder extends FolderSchema.class {}
FolderSchema.setClass(Folder);
