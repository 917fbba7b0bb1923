import type { AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { AppError, badInput, notFound } from '@docuvault/shared/errors/index';
import { recordAudit } from '../audit/audit.repository.ts';
import { parseId, parseName } from '../documents/input.ts';
import { isUniqueViolation } from '../data/query-helpers.ts';
import {
  queueStoredObjects,
  removeQueuedObjects,
  storedKeys,
  type ObjectRemoval,
  type QueuedObject,
} from '../documents/stored-objects.ts';
import type { Vault } from '../documents/vault.ts';
import { releaseQuota } from '../quotas/quotas.service.ts';
import { onlyOwnerMayDelete, viewerMayNotEdit } from '../sharing/sharing.errors.ts';
import { sharedFolderRoles } from '../sharing/visibility.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  countDocumentsIn,
  deleteDocumentsIn,
  deleteFolderRow,
  insertFolder,
  listFolders,
  lockFolderForKey,
  lockSubtree,
  lockVisibleFolder,
  moveDocumentsToRoot,
  renameFolderRow,
  type DeletedFolderDocument,
  type FolderRecord,
} from './folders.repository.ts';

export const FOLDER_DELETIONS = [
  'REFUSE_IF_NOT_EMPTY',
  'MOVE_DOCUMENTS_TO_ROOT',
  'DELETE_DOCUMENTS',
] as const;
export type FolderDeletion = (typeof FOLDER_DELETIONS)[number];

export const MAX_FOLDER_NAME_LENGTH = 255;

const duplicateName = (name: string) =>
  new AppError('CONFLICT', `a folder named "${name}" already exists there`, { argument: 'name' });

export function folders(vault: Vault): Promise<FolderRecord[]> {
  return listFolders(vault.em, vault.owner);
}

/** Sibling names are unique (root folders are siblings too): a clash is CONFLICT. */
export async function createFolder(
  vault: Vault,
  nameInput: string,
  parentInput: string | null | undefined,
): Promise<FolderRecord> {
  const name = parseName(nameInput, 'name', MAX_FOLDER_NAME_LENGTH);
  const parentId = parentInput ? parseId(parentInput, 'parentId') : null;
  try {
    return await vault.em.transactional(async (em) => {
      if (parentId && !(await lockFolderForKey(em, vault.owner, parentId))) {
        throw badInput(`parentId: no folder ${parentId}`, { argument: 'parentId' });
      }
      return insertFolder(em, vault.owner, name, parentId);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
}

/**
 * Whose tree a rename works in: the owner's, whether the owner renames or a recipient whom a
 * share makes EDITOR of the folder (names stay unique among the owner's siblings). A VIEWER
 * is refused; a folder the viewer cannot see is NOT_FOUND, as one that exists nowhere.
 */
async function renamingOwner(em: EntityManager, viewer: string | null, id: string): Promise<string | null> {
  const folder = await lockVisibleFolder(em, viewer, id);
  if (!folder) throw notFound('Folder', id);
  if (folder.ownerId === viewer) return viewer;
  const role = (await sharedFolderRoles(em, viewer, [id])).get(id);
  if (role !== 'EDITOR') throw viewerMayNotEdit('folder');
  return folder.ownerId;
}

export async function renameFolder(vault: Vault, idInput: string, nameInput: string): Promise<FolderRecord> {
  const id = parseId(idInput, 'id');
  const name = parseName(nameInput, 'name', MAX_FOLDER_NAME_LENGTH);
  try {
    return await vault.em.transactional(async (em) => {
      const owner = await renamingOwner(em, vault.owner, id);
      const renamed = await renameFolderRow(em, owner, id, name);
      // The row is locked above, so it cannot have gone in between.
      if (!renamed) throw notFound('Folder', id);
      return renamed;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
}

/**
 * Deletes a folder and every folder below it, doing with their documents what `mode`
 * says. Only its owner may: a recipient of a share is refused (FORBIDDEN), whatever their
 * role. Idempotent: a folder that is not there, or that the caller cannot see, answers false. The whole tree is locked
 * first, so no document or sub-folder can slip in between the check and the delete.
 * With DELETE_DOCUMENTS their bytes go back to the owner's quota in the same transaction
 * and their stored objects are queued for removal, then removed after the commit, as for deleteDocument.
 */
export async function deleteFolder(
  vault: Vault,
  removal: ObjectRemoval,
  origin: AuditOrigin,
  idInput: string,
  mode: FolderDeletion = 'REFUSE_IF_NOT_EMPTY',
): Promise<boolean> {
  const id = parseId(idInput, 'id');
  const outcome = await vault.em.transactional(async (em) => {
    const tree = await lockSubtree(em, vault.owner, id);
    if (tree.length === 0) {
      if (await lockVisibleFolder(em, vault.owner, id)) throw onlyOwnerMayDelete('folder');
      return { deleted: false, removals: [] as QueuedObject[] };
    }
    let deletedDocuments: DeletedFolderDocument[] = [];
    if (mode === 'REFUSE_IF_NOT_EMPTY') {
      const count = await countDocumentsIn(em, vault.owner, tree);
      if (count > 0) {
        throw new AppError('CONFLICT', `folder ${id} or a folder below it holds ${count} document(s)`, {
          argument: 'documents',
          documentCount: count,
        });
      }
    } else if (mode === 'MOVE_DOCUMENTS_TO_ROOT') {
      await moveDocumentsToRoot(em, vault.owner, tree);
    } else {
      deletedDocuments = await deleteDocumentsIn(em, vault.owner, tree);
    }
    const sizeBytes = deletedDocuments.reduce((sum, document) => sum + document.sizeBytes, 0);
    await releaseQuota(em, vault.owner, sizeBytes);
    // The tree is locked: the folder is still there to delete.
    const deleted = await deleteFolderRow(em, vault.owner, id);
    await recordAudit(em, origin, {
      actorId: vault.owner,
      action: 'DELETE_FOLDER',
      target: `folder:${id}`,
      details: { mode, folderCount: tree.length, documentCount: deletedDocuments.length, sizeBytes },
    });
    const removals = await queueStoredObjects(em, deletedDocuments.flatMap(storedKeys), 'folder deleted');
    return { deleted, removals };
  });
  await removeQueuedObjects(vault.em, removal, outcome.removals);
  return outcome.deleted;
}
