import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidPk } from './columns.ts';
import { User } from './users.ts';

export const GroupSchema = defineEntity({
  name: 'Group',
  tableName: 'groups',
  properties: {
    id: uuidPk(),
    name: p.text().unique(),
    createdAt: createdAt(),
  },
  checks: [{ name: 'groups_name_not_blank_check', expression: "btrim(name) <> ''" }],
});
export class Group extends GroupSchema.class {}
GroupSchema.setClass(Group);

export const GroupMemberSchema = defineEntity({
  name: 'GroupMember',
  tableName: 'group_members',
  properties: {
    group: () => p.manyToOne(Group).primary().deleteRule('cascade').updateRule('no action'),
    // The primary key leads with group_id; this index serves "groups of a user".
    user: () => p.manyToOne(User).primary().deleteRule('cascade').updateRule('no action').index(),
    createdAt: createdAt(),
  },
});
export class GroupMember extends GroupMemberSchema.class {}
GroupMemberSchema.setClass(GroupMember);
