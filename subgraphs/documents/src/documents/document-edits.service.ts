import type { AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { badInput, notFound } from '@docuvault/shared/errors/index';
import { releaseQuota } from '../quotas/quotas.service.ts';
import {
  deleteDocumentRow,
  existingTopicIds,
  folderExists,
  replaceManualTopics,
  updateDocumentRow,
  type DocumentChanges,
} from './document-edits.repository.ts';
import type { DocumentRecord } from './documents.repository.ts';
import { parseId, parseIds, parseName } from './input.ts';
import { queueStoredObjects, removeQueuedObjects, storedKeys, type ObjectRemoval } from './stored-objects.ts';
import type { Vault } from './vault.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { editorMayNotMove, onlyOwnerMayDelete, viewerMayNotEdit } from '../sharing/sharing.errors.ts';
import { lockVisibleDocument, sharedDocumentRoles, sharedFolderRoles } from '../sharing/visibility.ts';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface UpdateDocumentInput {
  title?: string | null;
  folderId?: string | null;
  topicIds?: readonly string[] | null;
}

export const MAX_TITLE_LENGTH = 500;
const MAX_MANUAL_TOPICS = 100;

/**
 * What an update asks for. An absent field changes nothing; `folderId: null` takes the
 * document out of its folder; `title: null` and `topicIds: null` also change nothing
 * (there is no "no title", and `topicIds: []` is how manual topics are cleared).
 */
export function parseDocumentChanges(input: UpdateDocumentInput): DocumentChanges {
  const changes: DocumentChanges = {};
  if (input.title !== undefined && input.title !== null) {
    changes.title = parseName(input.title, 'input.title', MAX_TITLE_LENGTH);
  }
  if (input.folderId !== undefined) {
    changes.folderId = input.folderId === null ? null : parseId(input.folderId, 'input.folderId');
  }
  if (input.topicIds !== undefined && input.topicIds !== null) {
    if (input.topicIds.length > MAX_MANUAL_TOPICS) {
      throw badInput(`input.topicIds may hold at most ${MAX_MANUAL_TOPICS} topics`, {
        argument: 'input.topicIds',
      });
    }
    changes.topicIds = parseIds(input.topicIds, 'input.topicIds');
  }
  return changes;
}

/**
 * Who edits whose document: the owner, or a recipient whose share makes them EDITOR. An
 * EDITOR works in the owner's vault (the owner's topics, the owner's folders) and may move
 * the document only into a folder of the owner shared with them as EDITOR, never to the root
 * nor into a folder of their own. A VIEWER may not edit; an id they cannot see is NOT_FOUND.
 */
async function editingVault(em: EntityManager, viewer: string | null, id: string, changes: DocumentChanges) {
  const document = await lockVisibleDocument(em, viewer, id);
  if (!document) throw notFound('Document', id);
  if (document.ownerId === viewer) return document.ownerId;
  const role = (await sharedDocumentRoles(em, viewer, [id])).get(id);
  if (role !== 'EDITOR') throw viewerMayNotEdit();
  if (changes.folderId !== undefined) {
    const target = changes.folderId;
    if (target === null) throw editorMayNotMove();
    const folderRole = (await sharedFolderRoles(em, viewer, [target])).get(target);
    // A folder the editor cannot see is unknown, as everywhere; one they see but may not use is refused.
    if (folderRole === undefined && !(await folderExists(em, viewer, target))) {
      throw badInput(`input.folderId: no folder ${target}`, { argument: 'input.folderId' });
    }
    if (folderRole !== 'EDITOR' || !(await folderExists(em, document.ownerId, target)))
      throw editorMayNotMove();
  }
  return document.ownerId;
}

/** All of an update in one transaction: it applies whole or not at all. */
export async function updateDocument(
  vault: Vault,
  idInput: string,
  input: UpdateDocumentInput,
): Promise<DocumentRecord> {
  const id = parseId(idInput, 'id');
  const changes = parseDocumentChanges(input);
  return vault.em.transactional(async (em) => {
    const owner = await editingVault(em, vault.owner, id, changes);
    if (changes.folderId && !(await folderExists(em, owner, changes.folderId))) {
      throw badInput(`input.folderId: no folder ${changes.folderId}`, { argument: 'input.folderId' });
    }
    if (changes.topicIds) {
      const found = await existingTopicIds(em, owner, changes.topicIds);
      const unknown = changes.topicIds.filter((topicId) => !found.has(topicId));
      if (unknown.length > 0) {
        throw badInput(`input.topicIds: no topic ${unknown.join(', ')}`, {
          argument: 'input.topicIds',
          unknownTopicIds: unknown,
        });
      }
      await replaceManualTopics(em, id, changes.topicIds);
    }
    const updated = await updateDocumentRow(em, owner, id, changes);
    // The row is locked above, so it cannot have gone in between.
    if (!updated) throw notFound('Document', id);
    return updated;
  });
}

/**
 * Deletes the row, gives its bytes back to the owner's quota and writes the audit line,
 * and queues the removal of its object and thumbnail, in one transaction; then removes them (see
 * stored-objects.ts for why in this order). Idempotent: a document that is not there answers false.
 */
export async function deleteDocument(
  vault: Vault,
  removal: ObjectRemoval,
  origin: AuditOrigin,
  idInput: string,
): Promise<boolean> {
  const id = parseId(idInput, 'id');
  const removals = await vault.em.transactional(async (em) => {
    const deleted = await deleteDocumentRow(em, vault.owner, id);
    if (!deleted) {
      // Seen through a share: refused. Not seen at all: as for an id that exists nowhere.
      if (await lockVisibleDocument(em, vault.owner, id)) throw onlyOwnerMayDelete();
      return undefined;
    }
    await releaseQuota(em, vault.owner, deleted.sizeBytes);
    await recordAudit(em, origin, {
      actorId: vault.owner,
      action: 'DELETE_DOCUMENT',
      target: `document:${id}`,
      details: { sizeBytes: deleted.sizeBytes },
    });
    return queueStoredObjects(em, storedKeys(deleted), 'document deleted');
  });
  if (removals === undefined) return false;
  await removeQueuedObjects(vault.em, removal, removals);
  return true;
}
