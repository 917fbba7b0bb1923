import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { isoTimestamp, uuidArray } from '../data/query-helpers.ts';

export interface GroupRecord {
  id: string;
  name: string;
  createdAt: Date;
}

const GROUP_COLUMNS = ['g.id', 'g.name', isoTimestamp('g.created_at').as('createdAt')] as const;
/** The same for insert/update … returning, which name the table without an alias. */
const RETURNED_COLUMNS = ['id', 'name', isoTimestamp('created_at').as('createdAt')] as const;

type GroupRow = Omit<GroupRecord, 'createdAt'> & { createdAt: string };
const toGroupRecord = (row: GroupRow): GroupRecord => ({ ...row, createdAt: new Date(row.createdAt) });

export async function listGroups(em: EntityManager): Promise<GroupRecord[]> {
  const rows = await db(em)
    .selectFrom('groups as g')
    .select(GROUP_COLUMNS)
    .orderBy(sql`lower(g.name)`)
    .orderBy('g.id')
    .execute();
  return rows.map(toGroupRecord);
}

export async function listGroupsOf(em: EntityManager, userId: string): Promise<GroupRecord[]> {
  const rows = await db(em)
    .selectFrom('groups as g')
    .innerJoin('group_members as gm', 'gm.group_id', 'g.id')
    .select(GROUP_COLUMNS)
    .where('gm.user_id', '=', userId)
    .orderBy(sql`lower(g.name)`)
    .orderBy('g.id')
    .execute();
  return rows.map(toGroupRecord);
}

export async function findGroupsByIds(
  em: EntityManager,
  ids: readonly string[],
): Promise<Map<string, GroupRecord>> {
  const rows = await db(em)
    .selectFrom('groups as g')
    .select(GROUP_COLUMNS)
    .where('g.id', '=', sql<string>`any(${uuidArray(ids)})`)
    .execute();
  return new Map(rows.map((row) => [row.id, toGroupRecord(row)]));
}

/** Whether the user is in the group (a member may share with it). */
export async function isMember(em: EntityManager, groupId: string, userId: string): Promise<boolean> {
  const row = await db(em)
    .selectFrom('group_members')
    .select('group_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertGroup(em: EntityManager, name: string): Promise<GroupRecord> {
  const row = await db(em)
    .insertInto('groups')
    .values({ name })
    .returning(RETURNED_COLUMNS)
    .executeTakeFirstOrThrow(() => new Error('insert into groups returned no row'));
  return toGroupRecord(row);
}

export async function renameGroupRow(
  em: EntityManager,
  id: string,
  name: string,
): Promise<GroupRecord | undefined> {
  const row = await db(em)
    .updateTable('groups')
    .set({ name })
    .where('id', '=', id)
    .returning(RETURNED_COLUMNS)
    .executeTakeFirst();
  return row && toGroupRecord(row);
}

/** Memberships and shares with the group go with it (on delete cascade). */
export async function deleteGroupRow(em: EntityManager, id: string): Promise<boolean> {
  const result = await db(em).deleteFrom('groups').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** True when the user was not a member yet. */
export async function insertMember(em: EntityManager, groupId: string, userId: string): Promise<boolean> {
  const rows = await db(em)
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId })
    .onConflict((conflict) => conflict.columns(['group_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return rows.length > 0;
}

export async function deleteMember(em: EntityManager, groupId: string, userId: string): Promise<boolean> {
  const result = await db(em)
    .deleteFrom('group_members')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The member ids of each group, by email. */
export async function memberIdsOf(
  em: EntityManager,
  groupIds: readonly string[],
): Promise<Map<string, string[]>> {
  const rows = await db(em)
    .selectFrom('group_members as gm')
    .innerJoin('users as u', 'u.id', 'gm.user_id')
    .select(['gm.group_id as groupId', 'gm.user_id as userId'])
    .where('gm.group_id', '=', sql<string>`any(${uuidArray(groupIds)})`)
    .orderBy('u.email')
    .execute();
  const members = new Map<string, string[]>();
  for (const { groupId, userId } of rows) members.set(groupId, [...(members.get(groupId) ?? []), userId]);
  return members;
}
