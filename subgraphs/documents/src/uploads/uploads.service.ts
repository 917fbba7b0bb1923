import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { badInput } from '@docuvault/shared/errors/index';
import { withoutBidiControls } from '@docuvault/shared/uploads/filenames';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MAX_TITLE_LENGTH } from '../documents/document-edits.service.ts';
import type { DocumentRecord } from '../documents/documents.repository.ts';
import { parseId, parseName } from '../documents/input.ts';
import { noUploadIntoSharedFolder } from '../sharing/sharing.errors.ts';
import { sharedFolderRoles } from '../sharing/visibility.ts';
import { findFoldersByIds } from '../folders/folders.repository.ts';
import { requireRoom } from '../quotas/quotas.service.ts';
import { registerStoredDocument } from './register-document.ts';
import { storeObject } from './store-object.ts';

export interface UploadDeps {
  readonly em: EntityManager;
  readonly store: ObjectStore;
  readonly queue: ClassifyQueue;
  readonly logger: Logger;
  readonly config: Pick<DocumentsConfig, 'MAX_UPLOAD_BYTES' | 'UPLOAD_ALLOWED_TYPES'>;
}

export interface IncomingFile {
  readonly filename: string;
  /** The client's claim; kept for the record, never trusted. */
  readonly declaredMimeType: string | null;
  open(): Readable;
  /**
   * Settles when the request the file came in has been read whole: resolves when it is
   * sound, rejects when it was refused (then nothing of it may be kept). Absent: whole already.
   */
  whole?(): Promise<void>;
}

export interface UploadRequest {
  /** The vault: a user's id, null for the anonymous vault. */
  readonly owner: string | null;
  readonly file: IncomingFile;
  readonly title?: string | null | undefined;
  readonly folderId?: string | null | undefined;
  readonly requestId?: string | undefined;
  /** The client's address, for the audit line. */
  readonly clientIp?: string | undefined;
  /** Fires when the caller hangs up: the S3 write is aborted and nothing is recorded. */
  readonly signal?: AbortSignal | undefined;
}

export interface UploadResult {
  readonly document: DocumentRecord;
  readonly duplicate: boolean;
}

const MAX_FILENAME_LENGTH = 255;

/**
 * The client's filename without any path a browser may prepend (`C:\fakepath\…`) and
 * without bidirectional controls (`invoice‮gpj.exe` would show as `invoiceexe.jpg`).
 */
export function cleanFilename(filename: string | null | undefined): string {
  // Multipart parsers hand over no name (or '') for parts like `filename=""` or `../`.
  const base =
    withoutBidiControls(filename ?? '')
      .split(/[\\/]/)
      .pop()
      ?.trim() ?? '';
  return [...(base || 'upload')].slice(0, MAX_FILENAME_LENGTH).join('');
}

export function defaultTitle(filename: string): string {
  const withoutExtension = filename.replace(/\.[^.]*$/, '').trim();
  return [...(withoutExtension || filename)].slice(0, MAX_TITLE_LENGTH).join('');
}

/**
 * The folder the document goes into; it must exist in the owner's vault. A folder shared
 * with the uploader is refused saying so: the quota would be the owner's (issue 20 leaves it out).
 */
export async function parseFolderId(
  em: EntityManager,
  owner: string | null,
  folderId: string | null | undefined,
) {
  if (folderId === null || folderId === undefined) return null;
  const id = parseId(folderId, 'folderId');
  const found = await findFoldersByIds(em, owner, [id]);
  if (!found.has(id)) {
    if ((await sharedFolderRoles(em, owner, [id])).has(id)) throw noUploadIntoSharedFolder();
    throw badInput(`folder ${folderId} does not exist`, { argument: 'folderId' });
  }
  return id;
}

/**
 * Stores the file, records it as UPLOADED (charged to the owner's quota) and queues its
 * classification. An owner with no quota left is refused before a byte is read, and the
 * stream stops once it passes what was left (QUOTA_EXCEEDED either way).
 * Nothing is lost and nothing is orphaned: no object without a row (a failed insert
 * removes it, a duplicate's bytes are removed), no row without an object (the row is
 * written only once the object is complete), and a row whose job never reached Redis
 * stays UPLOADED for the sweeper.
 */
export async function uploadDocument(deps: UploadDeps, request: UploadRequest): Promise<UploadResult> {
  const filename = cleanFilename(request.file.filename);
  const title = parseName(request.title ?? defaultTitle(filename), 'title', MAX_TITLE_LENGTH);
  const folderId = await parseFolderId(deps.em, request.owner, request.folderId);
  const quota = await requireRoom(deps.em, request.owner);
  const documentId = randomUUID();
  const stored = await storeObject(
    {
      store: deps.store,
      logger: deps.logger,
      maxBytes: deps.config.MAX_UPLOAD_BYTES,
      quota,
      allowedTypes: new Set(deps.config.UPLOAD_ALLOWED_TYPES),
      signal: request.signal,
    },
    request.file.open(),
    { filename, owner: request.owner, documentId },
  );
  try {
    // Nothing is recorded before the request is known to be whole and sound.
    await request.file.whole?.();
  } catch (error) {
    await stored.discard();
    throw error;
  }
  return registerStoredDocument(deps, {
    documentId,
    owner: request.owner,
    folderId,
    title,
    filename,
    ...(withoutBidiControls(request.file.filename) === request.file.filename
      ? {}
      : { submittedFilename: request.file.filename }),
    declaredMimeType: request.file.declaredMimeType,
    stored,
    requestId: request.requestId,
    clientIp: request.clientIp,
    signal: request.signal,
  });
}
