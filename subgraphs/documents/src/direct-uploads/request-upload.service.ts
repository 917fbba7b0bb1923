import { randomUUID } from 'node:crypto';
import type { DocumentsConfig } from '@docuvault/shared/config/index';
import { badInput } from '@docuvault/shared/errors/index';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { filenameProblem } from '@docuvault/shared/uploads/filenames';
import { MAX_TITLE_LENGTH } from '../documents/document-edits.service.ts';
import { characterCount, parseName } from '../documents/input.ts';
import { requireRoom } from '../quotas/quotas.service.ts';
import { DOCX_MIME_TYPE } from '../uploads/sniff.ts';
import { objectKey } from '../uploads/store-object.ts';
import { fileTooLarge, unsupportedType } from '../uploads/upload-errors.ts';
import { cleanFilename, defaultTitle, parseFolderId } from '../uploads/uploads.service.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { insertTicket } from './tickets.repository.ts';

export interface RequestUploadDeps {
  readonly em: EntityManager;
  readonly store: ObjectStore;
  readonly config: Pick<DocumentsConfig, 'MAX_UPLOAD_BYTES' | 'UPLOAD_ALLOWED_TYPES' | 'PRESIGN_UPLOAD_TTL'>;
}

export interface RequestUploadInput {
  readonly filename: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly title?: string | null | undefined;
  readonly folderId?: string | null | undefined;
}

export interface UploadTicket {
  readonly id: string;
  /** Where the form is POSTed (the bucket's URL on the public endpoint). */
  readonly url: string;
  /** Every field the form must carry, in order; the file goes last, as field `file`. */
  readonly fields: readonly { name: string; value: string }[];
  readonly expiresAt: Date;
  readonly maxSizeBytes: number;
}

/**
 * completeUpload copies the upload to the document's own key in one CopyObject, which
 * S3 allows up to 5 GiB; a ticket for more would be refused only after the upload.
 */
export const MAX_DIRECT_UPLOAD_BYTES = 5 * 1024 ** 3;
const MAX_FILENAME_LENGTH = 255;

/** The extension of the upload's key; the document's own key gets the sniffed one. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/markdown': '.md',
  [DOCX_MIME_TYPE]: '.docx',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/tiff': '.tif',
  'image/webp': '.webp',
};

/**
 * As uploadDocument's filenames (shared/src/uploads/filenames.ts): no control characters. The
 * ticket keeps the name as sent; completeUpload stores it cleaned and audits the original.
 */
function parseFilename(value: string): string {
  if (value.trim() === '') throw badInput('filename must not be empty', { argument: 'input.filename' });
  const problem = filenameProblem(value);
  if (problem) throw badInput(`filename ${problem}`, { argument: 'input.filename' });
  if (characterCount(value) > MAX_FILENAME_LENGTH)
    throw badInput(`filename must be at most ${MAX_FILENAME_LENGTH} characters`, {
      argument: 'input.filename',
    });
  return value;
}

/** `text/plain; charset=utf-8` → `text/plain`; it must be one the vault accepts at all. */
function parseContentType(value: string, allowed: readonly string[]): string {
  const type = value.split(';')[0]!.trim().toLowerCase();
  if (!allowed.includes(type)) throw unsupportedType(type || undefined, allowed);
  return type;
}

function parseSize(value: number, maxBytes: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw badInput('sizeBytes must be a whole number of bytes, at least 1', { argument: 'input.sizeBytes' });
  if (value > maxBytes) throw fileTooLarge(maxBytes);
  return value;
}

/**
 * Hands out a presigned POST for one object: the policy binds the bucket, the exact key,
 * the content type, a size of 1 byte up to the declared size, and an expiry. The ticket
 * row records the promise, so completeUpload can verify the object against it and the
 * sweeper can remove what a client uploaded but never completed. A declared size beyond
 * what is left of the owner's quota is refused here (QUOTA_EXCEEDED), before any upload;
 * nothing is reserved, completeUpload charges the quota.
 */
export async function requestUpload(
  deps: RequestUploadDeps,
  owner: string | null,
  input: RequestUploadInput,
  now = new Date(),
): Promise<UploadTicket> {
  const filename = parseFilename(input.filename);
  const contentType = parseContentType(input.contentType, deps.config.UPLOAD_ALLOWED_TYPES);
  const maxBytes = Math.min(deps.config.MAX_UPLOAD_BYTES, MAX_DIRECT_UPLOAD_BYTES);
  const sizeBytes = parseSize(input.sizeBytes, maxBytes);
  const title = parseName(input.title ?? defaultTitle(cleanFilename(filename)), 'title', MAX_TITLE_LENGTH);
  const folderId = await parseFolderId(deps.em, owner, input.folderId);
  await requireRoom(deps.em, owner, sizeBytes);
  // The ticket's id becomes the document's id: completing twice can only ever make one.
  const id = randomUUID();
  const key = objectKey(owner, id, EXTENSIONS[contentType] ?? '');
  const expiresAt = new Date(now.getTime() + deps.config.PRESIGN_UPLOAD_TTL * 1000);

  const { client, bucket } = deps.store;
  const policy = client.newPostPolicy();
  policy.setBucket(bucket);
  policy.setKey(key);
  policy.setContentType(contentType);
  policy.setContentLengthRange(1, sizeBytes);
  policy.setExpires(expiresAt);
  const { postURL, formData } = await client.presignedPostPolicy(policy);

  await insertTicket(deps.em, {
    id,
    owner,
    objectKey: key,
    filename,
    declaredContentType: contentType,
    maxSizeBytes: sizeBytes,
    title,
    folderId,
    expiresAt,
  });
  return {
    id,
    url: postURL,
    fields: Object.entries(formData).map(([name, value]) => ({ name, value })),
    expiresAt,
    maxSizeBytes: sizeBytes,
  };
}
