import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { ownedBy, uuidArray } from '../data/query-helpers.ts';

// The one place that decides which documents and folders a user may see besides their own:
// what is shared with them directly or through a group, and everything below a folder
// shared with them (present and future: the folder tree is walked at query time). Every
// read goes through these fragments (document(id), documents, search, _entities, folders of
// documents), and they read shares and memberships in the request's own query: nothing is
// cached, so a revocation or a removal from a group holds from the next request on.
// In the database a share's permission is READ or WRITE; the API calls them VIEWER, EDITOR.

export type ShareRole = 'VIEWER' | 'EDITOR';
export type DocumentRole = 'OWNER' | ShareRole;

export const roleOfPermission = (permission: string): ShareRole =>
  permission === 'WRITE' ? 'EDITOR' : 'VIEWER';
export const permissionOfRole = (role: ShareRole): 'READ' | 'WRITE' => (role === 'EDITOR' ? 'WRITE' : 'READ');

/** Shares that reach the viewer: made with them, or with a group they are in. */
const grantsTo = (viewer: string): RawBuilder<unknown> => sql`
  select s.document_id, s.folder_id, s.permission from shares s
   where s.grantee_user_id = ${viewer}::uuid
  union all
  select s.document_id, s.folder_id, s.permission from group_members gm
    join shares s on s.grantee_group_id = gm.group_id
   where gm.user_id = ${viewer}::uuid`;

/** Every folder under a folder shared with the viewer (the folder itself included), its owner and the permission. */
const sharedFolders = (viewer: string): RawBuilder<unknown> => sql`
  with recursive tree(id, owner_id, permission) as (
    select f.id, f.user_id, g.permission from (${grantsTo(viewer)}) g join folders f on f.id = g.folder_id
    union
    select child.id, child.user_id, tree.permission from folders child join tree on child.parent_id = tree.id
  )
  select id, owner_id, permission from tree`;

/** (document id, permission) for each way a document reaches the viewer: its own share or a folder above it. */
const documentGrants = (viewer: string): RawBuilder<unknown> => sql`
  select g.document_id, g.permission from (${grantsTo(viewer)}) g where g.document_id is not null
  union all
  select fd.id, t.permission from (${sharedFolders(viewer)}) t
    join documents fd on fd.folder_id = t.id and fd.user_id = t.owner_id`;

const column = (alias: string, name: string) => sql.ref(`${alias}.${name}`);

/**
 * Documents `alias` the viewer may see: their own and those shared with them. null is the
 * anonymous vault, which shares nothing.
 */
export function visibleTo(alias: string, viewer: string | null): RawBuilder<boolean> {
  if (viewer === null) return ownedBy(`${alias}.user_id`, null);
  return sql<boolean>`(${ownedBy(`${alias}.user_id`, viewer)}
    or ${column(alias, 'id')} in (select dg.document_id from (${documentGrants(viewer)}) dg))`;
}

/** Documents `alias` shared with the viewer by someone else (their own never count). */
export function sharedWith(alias: string, viewer: string | null): RawBuilder<boolean> {
  if (viewer === null) return sql<boolean>`false`;
  return sql<boolean>`(${column(alias, 'id')} in (select dg.document_id from (${documentGrants(viewer)}) dg)
    and ${column(alias, 'user_id')} <> ${viewer}::uuid)`;
}

/**
 * Which documents `d` a listing walks: the viewer's own, or (sharedWithMe) only those others
 * share with them. The filter narrows either; search reads visibleTo instead.
 */
export const listScope = (viewer: string | null, sharedWithMe: boolean): RawBuilder<boolean> =>
  sharedWithMe ? sharedWith('d', viewer) : ownedBy('d.user_id', viewer);

/** Folders `alias` the viewer may see: their own, and those at or below a folder shared with them. */
export function folderVisibleTo(alias: string, viewer: string | null): RawBuilder<boolean> {
  if (viewer === null) return ownedBy(`${alias}.user_id`, null);
  return sql<boolean>`(${ownedBy(`${alias}.user_id`, viewer)}
    or ${column(alias, 'id')} in (select sf.id from (${sharedFolders(viewer)}) sf))`;
}

/**
 * The viewer's role on each of `ids` (documents) that is shared with them and not theirs;
 * EDITOR when any share that reaches it says so. Ids they own or cannot see are left out.
 */
// max(): WRITE sorts after READ, so the strongest share wins.
export async function sharedDocumentRoles(
  em: EntityManager,
  viewer: string | null,
  ids: readonly string[],
): Promise<Map<string, ShareRole>> {
  if (viewer === null || ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; permission: string }>`
    select dg.document_id as id, max(dg.permission) as permission
      from (${documentGrants(viewer)}) dg join documents d on d.id = dg.document_id
     where dg.document_id = any(${uuidArray(ids)}) and d.user_id <> ${viewer}::uuid
     group by dg.document_id`.execute(db(em));
  return new Map(rows.map((row) => [row.id, roleOfPermission(row.permission)]));
}

/** The same for folders: the viewer's role on each of `ids` shared with them (theirs left out). */
export async function sharedFolderRoles(
  em: EntityManager,
  viewer: string | null,
  ids: readonly string[],
): Promise<Map<string, ShareRole>> {
  if (viewer === null || ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; permission: string }>`
    select sf.id, max(sf.permission) as permission from (${sharedFolders(viewer)}) sf
     where sf.id = any(${uuidArray(ids)}) and sf.owner_id <> ${viewer}::uuid
     group by sf.id`.execute(db(em));
  return new Map(rows.map((row) => [row.id, roleOfPermission(row.permission)]));
}

/**
 * The owner of a document the viewer may see, locked `for update` in the caller's
 * transaction (an edit by owner or EDITOR); undefined when they may not see it.
 */
export async function lockVisibleDocument(
  em: EntityManager,
  viewer: string | null,
  id: string,
): Promise<{ ownerId: string | null } | undefined> {
  const { rows } = await sql<{ ownerId: string | null }>`
    select d.user_id as "ownerId" from documents d
     where d.id = ${id}::uuid and ${visibleTo('d', viewer)}
     for update of d`.execute(db(em));
  return rows[0];
}
