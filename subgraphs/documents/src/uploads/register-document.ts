import { badInput } from '@docuvault/shared/errors/index';
import type { Logger } from '@docuvault/shared/logging/logger';
import { enqueueClassification, type ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit.repository.ts';
import { findDocumentsByIds, type DocumentRecord } from '../documents/documents.repository.ts';
import { isForeignKeyViolation } from '../data/query-helpers.ts';
import { chargeQuota } from '../quotas/quotas.service.ts';
import type { StoredObject } from './store-object.ts';
import { findIdBySha256, insertUploadedDocument, type NewDocumentRow } from './uploads.repository.ts';

// The one way a stored object becomes a document: the GraphQL upload (uploads.service.ts)
// and the direct upload (direct-uploads/, completeUpload) both end here, so both
// record the row, charge the owner's quota, detect duplicates, write the audit line and
// queue classification identically.

export interface RegistrationDeps {
  readonly em: EntityManager;
  readonly queue: ClassifyQueue;
  readonly logger: Logger;
}

export interface StoredDocument {
  /** The new document's id (already part of the object key). */
  readonly documentId: string;
  /** The vault: a user's id, null for the anonymous vault. */
  readonly owner: string | null;
  readonly folderId: string | null;
  readonly title: string;
  /** As cleaned by cleanFilename. */
  readonly filename: string;
  /** The name as the client sent it, when cleaning removed bidirectional controls: for the audit line. */
  readonly submittedFilename?: string | undefined;
  /** The client's claim; kept for the record, never trusted. */
  readonly declaredMimeType: string | null;
  /** The complete object in the bucket, its type sniffed and its bytes hashed. */
  readonly stored: StoredObject;
  readonly requestId?: string | undefined;
  /** The client's address, for the audit line. */
  readonly clientIp?: string | undefined;
  /**
   * Fires when the caller hung up: the document is then not recorded (checked last thing
   * before the commit; a hang-up after the commit keeps the document).
   */
  readonly signal?: AbortSignal | undefined;
}

export interface RegisteredDocument {
  readonly document: DocumentRecord;
  /** True when the owner already had these bytes: `document` is that earlier one, our object is gone. */
  readonly duplicate: boolean;
}

/** A job that cannot reach Redis in this time is left to the sweeper: the upload must not hang on it. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Records the stored object as an UPLOADED document and queues its classification.
 * The row, the charge to the owner's quota and the audit line are one transaction: an
 * upload that does not fit (QUOTA_EXCEEDED) leaves no row, and a duplicate charges
 * nothing. No object without a row (a refusal, a failed insert or a duplicate removes
 * it), and a row whose job never reached Redis stays UPLOADED for the upload sweeper.
 */
export async function registerStoredDocument(
  deps: RegistrationDeps,
  request: StoredDocument,
): Promise<RegisteredDocument> {
  const { documentId, stored } = request;
  const row: NewDocumentRow = {
    id: documentId,
    owner: request.owner,
    folderId: request.folderId,
    title: request.title,
    originalFilename: request.filename,
    declaredMimeType: request.declaredMimeType,
    mimeType: stored.mimeType,
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
    objectKey: stored.key,
  };
  const id = await recordOrFindDuplicate(deps, row, stored, request, request.submittedFilename);
  if (id === documentId) await enqueueOrLeaveForSweeper(deps, documentId, request.requestId);
  const document = (await findDocumentsByIds(deps.em, request.owner, [id])).get(id);
  if (!document) throw new Error(`document ${id} vanished right after its upload`);
  return { document, duplicate: id !== documentId };
}

/** Records the row (see recordCharged); removes our copy of the bytes unless it became that row. */
async function recordOrFindDuplicate(
  deps: RegistrationDeps,
  row: NewDocumentRow,
  stored: StoredObject,
  origin: Pick<StoredDocument, 'requestId' | 'clientIp' | 'signal'>,
  submittedFilename: string | undefined,
): Promise<string> {
  let recorded: { id: string; inserted: boolean };
  try {
    recorded = await deps.em.transactional(async (em) => {
      const result = await recordCharged(em, row, origin, submittedFilename);
      // The caller gave up while we stored or wrote: roll back rather than record behind its back.
      origin.signal?.throwIfAborted();
      return result;
    });
  } catch (error) {
    await stored.discard();
    if (isForeignKeyViolation(error))
      throw badInput('the folder was deleted during the upload', { argument: 'folderId' });
    throw error;
  }
  // Not ours even when the id is (a racing completeUpload of the same ticket recorded it).
  if (!recorded.inserted) await stored.discard();
  return recorded.id;
}

/**
 * In the caller's transaction: inserts the row, charges its size to the owner's quota
 * (QUOTA_EXCEEDED rolls the insert back) and writes the UPLOAD audit line; or, when the
 * owner already has these bytes, answers that document's id and charges nothing.
 */
async function recordCharged(
  em: EntityManager,
  row: NewDocumentRow,
  origin: Pick<StoredDocument, 'requestId' | 'clientIp'>,
  submittedFilename: string | undefined,
): Promise<{ id: string; inserted: boolean }> {
  // Twice at most: the existing duplicate can be deleted between our insert and our read.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (await insertUploadedDocument(em, row)) {
      await chargeQuota(em, row.owner, row.sizeBytes);
      await recordAudit(em, origin, {
        actorId: row.owner,
        action: 'UPLOAD',
        target: `document:${row.id}`,
        details: {
          sizeBytes: row.sizeBytes,
          mimeType: row.mimeType,
          ...(submittedFilename === undefined ? {} : { submittedFilename }),
        },
      });
      return { id: row.id, inserted: true };
    }
    const existing = await findIdBySha256(em, row.owner, row.sha256);
    if (existing) return { id: existing, inserted: false };
  }
  throw new Error('duplicate upload: the existing document kept disappearing');
}

async function enqueueOrLeaveForSweeper(
  deps: RegistrationDeps,
  documentId: string,
  requestId: string | undefined,
) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      enqueueClassification(deps.queue, { documentId, ...(requestId ? { requestId } : {}) }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from Redis in ${ENQUEUE_TIMEOUT_MS} ms`)),
          ENQUEUE_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    // The upload itself succeeded; the sweeper re-enqueues rows left UPLOADED.
    deps.logger.warn(
      { err: error, documentId },
      'could not enqueue classification; left for the upload sweeper',
    );
  } finally {
    clearTimeout(timer);
  }
}
