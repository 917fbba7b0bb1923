import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { isoTimestamp, ownedBy, uuidArray } from '../data/query-helpers.ts';
import { folderVisibleTo } from '../sharing/visibility.ts';

export interface FolderRecord {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: Date;
}

const FOLDER_COLUMNS = [
  'id',
  'name',
  'parent_id as parentId',
  isoTimestamp('created_at').as('createdAt'),
] as const;

/** `= any($n::uuid[])`: one bind parameter for the whole list. */
const anyOf = (ids: readonly string[]) => sql<string>`any(${uuidArray(ids)})`;

type FolderRow = Omit<FolderRecord, 'createdAt'> & { createdAt: string };
const toFolderRecord = (row: FolderRow): FolderRecord => ({ ...row, createdAt: new Date(row.createdAt) });

export async function listFolders(em: EntityManager, owner: string | null): Promise<FolderRecord[]> {
  const rows = await db(em)
    .selectFrom('folders')
    .select(FOLDER_COLUMNS)
    .where(ownedBy('user_id', owner))
    .orderBy((eb) => eb.fn('lower', ['name']))
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toFolderRecord);
}

export async function findFoldersByIds(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<Map<string, FolderRecord>> {
  const rows = await db(em)
    .selectFrom('folders')
    .select(FOLDER_COLUMNS)
    .where('id', '=', anyOf(ids))
    .where(ownedBy('user_id', owner))
    .execute();
  return new Map(rows.map((row) => [row.id, toFolderRecord(row)]));
}

/** Folders the viewer may see: their own, and those at or below a folder shared with them. */
export async function findVisibleFoldersByIds(
  em: EntityManager,
  viewer: string | null,
  ids: readonly string[],
): Promise<Map<string, FolderRecord>> {
  const rows = await db(em)
    .selectFrom('folders as f')
    .select(FOLDER_COLUMNS)
    .where('id', '=', anyOf(ids))
    .where(folderVisibleTo('f', viewer))
    .execute();
  return new Map(rows.map((row) => [row.id, toFolderRecord(row)]));
}

/**
 * The owner of a folder the viewer may see (their own, or one at or below a folder shared
 * with them), locked `for update` in the caller's transaction; undefined when they may not see it.
 */
export async function lockVisibleFolder(
  em: EntityManager,
  viewer: string | null,
  id: string,
): Promise<{ ownerId: string | null } | undefined> {
  return db(em)
    .selectFrom('folders as f')
    .select('f.user_id as ownerId')
    .where('f.id', '=', id)
    .where(folderVisibleTo('f', viewer))
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Documents directly in each folder (sub-folders not included), of folders the caller has
 * authorised (own, or shared with the viewer): the documents of the folder's owner.
 */
export async function countDocumentsInFolders(
  em: EntityManager,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const rows = await db(em)
    .selectFrom('documents as d')
    .innerJoin('folders as f', 'f.id', 'd.folder_id')
    .select(['d.folder_id as folderId', sql<number>`count(*)::int`.as('count')])
    .where('d.folder_id', '=', anyOf(ids))
    .where(sql<boolean>`d.user_id is not distinct from f.user_id`)
    .groupBy('d.folder_id')
    .$narrowType<{ folderId: string }>()
    .execute();
  return new Map(rows.map((row) => [row.folderId, row.count]));
}

/** `for key share`: the parent stays until the caller's transaction commits. */
export async function lockFolderForKey(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<boolean> {
  const row = await db(em)
    .selectFrom('folders')
    .select('id')
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .forKeyShare()
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertFolder(
  em: EntityManager,
  owner: string | null,
  name: string,
  parentId: string | null,
): Promise<FolderRecord> {
  const row = await db(em)
    .insertInto('folders')
    .values({ user_id: owner, parent_id: parentId, name })
    .returning(FOLDER_COLUMNS)
    .executeTakeFirstOrThrow(() => new Error('insert into folders returned no row'));
  return toFolderRecord(row);
}

export async function renameFolderRow(
  em: EntityManager,
  owner: string | null,
  id: string,
  name: string,
): Promise<FolderRecord | undefined> {
  const row = await db(em)
    .updateTable('folders')
    .set({ name, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .returning(FOLDER_COLUMNS)
    .executeTakeFirst();
  return row && toFolderRecord(row);
}

/** The folder and every folder below it (ids), read fresh. Empty when it is not in the vault. */
async function subtreeIds(em: EntityManager, owner: string | null, id: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive tree(id) as (
      select f.id from folders f where f.id = ${id}::uuid and ${ownedBy('f.user_id', owner)}
      union
      select child.id from folders child join tree on child.parent_id = tree.id
    )
    select id from tree order by id`.execute(db(em));
  return rows.map((row) => row.id);
}

/**
 * Locks the folder and all its sub-folders `for update`, in the caller's transaction.
 * Once a folder is locked no sub-folder or document can be added to it (their foreign
 * key check needs a lock that conflicts), but one could be added to a deeper folder
 * between the read and the lock; so read again until the tree holds still.
 */
export async function lockSubtree(em: EntityManager, owner: string | null, id: string): Promise<string[]> {
  let ids = await subtreeIds(em, owner, id);
  for (;;) {
    if (ids.length === 0) return ids;
    await db(em)
      .selectFrom('folders')
      .select('id')
      .where('id', '=', anyOf(ids))
      .orderBy('id')
      .forUpdate()
      .execute();
    const again = await subtreeIds(em, owner, id);
    if (again.length === ids.length && again.every((value, index) => value === ids[index])) return ids;
    ids = again;
  }
}

export async function countDocumentsIn(
  em: EntityManager,
  owner: string | null,
  folderIds: readonly string[],
): Promise<number> {
  const row = await db(em)
    .selectFrom('documents')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('folder_id', '=', anyOf(folderIds))
    .where(ownedBy('user_id', owner))
    .executeTakeFirst();
  return row?.count ?? 0;
}

export async function moveDocumentsToRoot(
  em: EntityManager,
  owner: string | null,
  folderIds: readonly string[],
): Promise<void> {
  await db(em)
    .updateTable('documents')
    .set({ folder_id: null, updated_at: sql<Date>`now()` })
    .where('folder_id', '=', anyOf(folderIds))
    .where(ownedBy('user_id', owner))
    .execute();
}

export interface DeletedFolderDocument {
  objectKey: string;
  thumbnailKey: string | null;
  sizeBytes: number;
}

/** Deletes the documents of the folders; answers the keys of their stored objects (and thumbnails) and their sizes. */
export async function deleteDocumentsIn(
  em: EntityManager,
  owner: string | null,
  folderIds: readonly string[],
): Promise<DeletedFolderDocument[]> {
  return db(em)
    .deleteFrom('documents')
    .where('folder_id', '=', anyOf(folderIds))
    .where(ownedBy('user_id', owner))
    .returning([
      'object_key as objectKey',
      'thumbnail_key as thumbnailKey',
      sql<number>`size_bytes::float8`.as('sizeBytes'),
    ])
    .execute();
}

/** Deletes the folder; its sub-folders go with it (on delete cascade). */
export async function deleteFolderRow(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  const result = await db(em)
    .deleteFrom('folders')
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
