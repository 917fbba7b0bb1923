import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '@docuvault/shared/errors/index';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { quotaExceeded, remainingBytes } from '../quotas/quotas.errors.ts';
import type { QuotaRecord } from '../quotas/quotas.repository.ts';
import { detectType, SNIFF_BYTES, type SniffedType } from '../uploads/sniff.ts';
import { objectKey, type StoredObject } from '../uploads/store-object.ts';
import { emptyFile, fileTooLarge, unsupportedType } from '../uploads/upload-errors.ts';
import { CopyDestinationOptions, CopySourceOptions } from 'minio';
import { nothingUploaded, objectChanged, typeMismatch } from './ticket-errors.ts';
import type { TicketRecord } from './tickets.repository.ts';

// What completeUpload checks before a direct upload may become a document, and the
// copy it registers. The document never keeps the upload's own key: the presigned POST
// stays usable until it expires, so a client could otherwise replace a verified,
// registered object with other bytes. The copy is out of the policy's reach.

interface ObjectFacts {
  size: number;
  etag: string;
}

const isMissing = (error: unknown) => {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
};

/** Removes an object; a missing one is fine, and a failure leaves it to the ticket sweeper. */
export async function removeQuietly(store: ObjectStore, key: string): Promise<void> {
  await store.client.removeObject(store.bucket, key).catch(() => undefined);
}

async function statOrNull(store: ObjectStore, key: string): Promise<ObjectFacts | null> {
  try {
    const stat = await store.client.statObject(store.bucket, key);
    return { size: stat.size, etag: stat.etag };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Text types form one family: a Markdown file may be declared as text/plain and the other way round. */
const family = (mimeType: string) => (mimeType.startsWith('text/') ? 'text/*' : mimeType);

/** The real type from a ranged read of the head: only SNIFF_BYTES ever leave the store here. */
async function sniffHead(
  store: ObjectStore,
  ticket: TicketRecord,
  facts: ObjectFacts,
  allowed: readonly string[],
  quota: QuotaRecord | null,
): Promise<SniffedType> {
  if (facts.size === 0) throw emptyFile();
  if (facts.size > ticket.maxSizeBytes) throw fileTooLarge(ticket.maxSizeBytes);
  // Before the copy and the hash: the charge on registration decides, this spares the work.
  if (quota && facts.size > remainingBytes(quota)) throw quotaExceeded(quota);
  const length = Math.min(SNIFF_BYTES, facts.size);
  const head = await readAll(await store.client.getPartialObject(store.bucket, ticket.objectKey, 0, length));
  const type = await detectType(head, ticket.filename);
  if (!type || !allowed.includes(type.mimeType)) throw unsupportedType(type?.mimeType, allowed);
  if (family(type.mimeType) !== family(ticket.declaredContentType))
    throw typeMismatch(type.mimeType, ticket.declaredContentType, allowed);
  return type;
}

/** Server-side copy of exactly the version we sniffed (If-Match on its ETag). */
async function copyVerified(
  store: ObjectStore,
  ticket: TicketRecord,
  facts: ObjectFacts,
  type: SniffedType,
): Promise<string> {
  const key = objectKey(ticket.owner, ticket.id, type.extension);
  try {
    await store.client.copyObject(
      new CopySourceOptions({ Bucket: store.bucket, Object: ticket.objectKey, MatchETag: facts.etag }),
      new CopyDestinationOptions({
        Bucket: store.bucket,
        Object: key,
        MetadataDirective: 'REPLACE',
        Headers: { 'Content-Type': type.mimeType },
      }),
    );
  } catch (error) {
    await removeQuietly(store, key);
    const code = (error as { code?: string }).code;
    if (code === 'PreconditionFailed' || isMissing(error)) throw objectChanged(ticket.id);
    throw error;
  }
  return key;
}

async function digest(store: ObjectStore, key: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of await store.client.getObject(store.bucket, key)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

/**
 * The ticket's upload, verified and copied to the document's key: present, within the
 * declared size and what is left of the owner's `quota` (null: not limited), of an
 * allowed type of the declared family, hashed by streaming.
 * Bytes that can never become a document are removed (the client may upload again
 * while the ticket lasts); a failure of ours leaves the upload for a retry.
 */
export async function verifyUpload(
  store: ObjectStore,
  ticket: TicketRecord,
  allowed: readonly string[],
  quota: QuotaRecord | null,
): Promise<StoredObject> {
  const facts = await statOrNull(store, ticket.objectKey);
  if (!facts) throw nothingUploaded(ticket.id);
  let type: SniffedType;
  try {
    type = await sniffHead(store, ticket, facts, allowed, quota);
  } catch (error) {
    if (error instanceof AppError) await removeQuietly(store, ticket.objectKey);
    throw error;
  }
  const key = await copyVerified(store, ticket, facts, type);
  try {
    const { sha256, sizeBytes } = await digest(store, key);
    return { key, mimeType: type.mimeType, sha256, sizeBytes, discard: () => removeQuietly(store, key) };
  } catch (error) {
    await removeQuietly(store, key);
    throw error;
  }
}
