import type { AuditOrigin } from '@docuvault/shared/audit/audit-log';
import { badInput, notFound } from '@docuvault/shared/errors/index';
import { releaseQuota } from '../quotas/quotas.service.ts';
import {
  deleteDocumentRow,
  existingTopicIds,
  folderExists,
  lockDocument,
  replaceManualTopics,
  updateDocumentRow,
  type DocumentChanges,
} from './document-edits.repository.ts';
import type { DocumentRecord } from './documents.repository.ts';
import { parseId, parseIds, parseName } from './input.ts';
import { queueStoredObjects, removeQueuedObjects, storedKeys, type ObjectRemoval } from './stored-objects.ts';
import type { Vault } from './vault.ts';
import { recordAudit } from '../audit/audit.repository.ts';

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

/** All of an update in one transaction: it applies whole or not at all. */
export async function updateDocument(
  vault: Vault,
  idInput: string,
  input: UpdateDocumentInput,
): Promise<DocumentRecord> {
  const id = parseId(idInput, 'id');
  const changes = parseDocumentChanges(input);
  return vault.em.transactional(async (em) => {
    if (!(await lockDocument(em, vault.owner, id))) throw notFound('Document', id);
    if (changes.folderId && !(await folderExists(em, vault.owner, changes.folderId))) {
      throw badInput(`input.folderId: no folder ${changes.folderId}`, { argument: 'input.folderId' });
    }
    if (changes.topicIds) {
      const found = await existingTopicIds(em, vault.owner, changes.topicIds);
      const unknown = changes.topicIds.filter((topicId) => !found.has(topicId));
      if (unknown.length > 0) {
        throw badInput(`input.topicIds: no topic ${unknown.join(', ')}`, {
          argument: 'input.topicIds',
          unknownTopicIds: unknown,
        });
      }
      await replaceManualTopics(em, id, changes.topicIds);
    }
    const updated = await updateDocumentRow(em, vault.owner, id, changes);
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
    if (!deleted) return undefined;
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
