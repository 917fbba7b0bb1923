import type { EntityManager } from '@mikro-orm/postgresql';
import {
  constant,
  execute,
  isoTimestamp,
  ownedBy,
  query,
  queryOne,
  sql,
  uuidArray,
} from '../documents/sql.ts';

export interface FolderRecord {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: Date;
}

const FOLDER_COLUMNS = constant(
  `f.id, f.name, f.parent_id as "parentId", ${isoTimestamp('f.created_at')} as "createdAt"`,
);

type FolderRow = Omit<FolderRecord, 'createdAt'> & { createdAt: string };
const toFolderRecord = (row: FolderRow): FolderRecord => ({ ...row, createdAt: new Date(row.createdAt) });

export async function listFolders(em: EntityManager, owner: string | null): Promise<FolderRecord[]> {
  const rows = await query<FolderRow>(
    em,
    sql`select ${FOLDER_COLUMNS} from folders f where ${ownedBy('f.user_id', owner)}
        order by lower(f.name), f.name, f.id`,
  );
  return rows.map(toFolderRecord);
}

export async function findFoldersByIds(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<Map<string, FolderRecord>> {
  const rows = await query<FolderRow>(
    em,
    sql`select ${FOLDER_COLUMNS} from folders f where f.id = any(${uuidArray(ids)}) and ${ownedBy('f.user_id', owner)}`,
  );
  return new Map(rows.map((row) => [row.id, toFolderRecord(row)]));
}

/** Documents directly in each folder (sub-folders not included). */
export async function countDocumentsInFolders(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const rows = await query<{ folderId: string; count: number }>(
    em,
    sql`select d.folder_id as "folderId", count(*)::int as count from documents d
        where d.folder_id = any(${uuidArray(ids)}) and ${ownedBy('d.user_id', owner)}
        group by d.folder_id`,
  );
  return new Map(rows.map((row) => [row.folderId, row.count]));
}

/** `for key share`: the parent stays until the caller's transaction commits. */
export async function lockFolderForKey(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<boolean> {
  const row = await queryOne<{ id: string }>(
    em,
    sql`select f.id from folders f where f.id = ${id}::uuid and ${ownedBy('f.user_id', owner)} for key share`,
  );
  return row !== undefined;
}

export async function insertFolder(
  em: EntityManager,
  owner: string | null,
  name: string,
  parentId: string | null,
): Promise<FolderRecord> {
  const row = await queryOne<FolderRow>(
    em,
    sql`insert into folders as f (user_id, parent_id, name) values (${owner}::uuid, ${parentId}::uuid, ${name})
        returning ${FOLDER_COLUMNS}`,
  );
  if (!row) throw new Error('insert into folders returned no row');
  return toFolderRecord(row);
}

export async function renameFolderRow(
  em: EntityManager,
  owner: string | null,
  id: string,
  name: string,
): Promise<FolderRecord | undefined> {
  const row = await queryOne<FolderRow>(
    em,
    sql`update folders f set name = ${name}, updated_at = now()
        where f.id = ${id}::uuid and ${ownedBy('f.user_id', owner)}
        returning ${FOLDER_COLUMNS}`,
  );
  return row && toFolderRecord(row);
}

/** The folder and every folder below it (ids), read fresh. Empty when it is not in the vault. */
async function subtreeIds(em: EntityManager, owner: string | null, id: string): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    sql`with recursive tree(id) as (
          select f.id from folders f where f.id = ${id}::uuid and ${ownedBy('f.user_id', owner)}
          union
          select child.id from folders child join tree on child.parent_id = tree.id
        )
        select id from tree order by id`,
  );
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
    await query(
      em,
      sql`select f.id from folders f where f.id = any(${uuidArray(ids)}) order by f.id for update`,
    );
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
  const [row] = await query<{ count: number }>(
    em,
    sql`select count(*)::int as count from documents d
        where d.folder_id = any(${uuidArray(folderIds)}) and ${ownedBy('d.user_id', owner)}`,
  );
  return row?.count ?? 0;
}

export async function moveDocumentsToRoot(
  em: EntityManager,
  owner: string | null,
  folderIds: readonly string[],
): Promise<void> {
  await execute(
    em,
    sql`update documents d set folder_id = null, updated_at = now()
        where d.folder_id = any(${uuidArray(folderIds)}) and ${ownedBy('d.user_id', owner)}`,
  );
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
  return query<DeletedFolderDocument>(
    em,
    sql`delete from documents d where d.folder_id = any(${uuidArray(folderIds)}) and ${ownedBy('d.user_id', owner)}
        returning d.object_key as "objectKey", d.thumbnail_key as "thumbnailKey",
                  d.size_bytes::float8 as "sizeBytes"`,
  );
}

/** Deletes the folder; its sub-folders go with it (on delete cascade). */
export async function deleteFolderRow(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  return (
    (await execute(
      em,
      sql`delete from folders f where f.id = ${id}::uuid and ${ownedBy('f.user_id', owner)}`,
    )) > 0
  );
}
