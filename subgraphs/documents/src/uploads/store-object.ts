import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { quotaExceeded, remainingBytes } from '../quotas/quotas.errors.ts';
import type { QuotaRecord } from '../quotas/quotas.repository.ts';
import { ObjectWriter } from './object-writer.ts';
import { sniffUpload } from './sniff.ts';
import { fileTooLarge } from './upload-errors.ts';

/**
 * SHA-256 and size of what passes through, in the same pass that stores it. Stops the
 * stream at the first limit crossed: MAX_UPLOAD_BYTES (FILE_TOO_LARGE) or what was left
 * of the owner's quota when the upload began (QUOTA_EXCEEDED), so a file that cannot fit
 * is not stored to the end only to be refused.
 */
class Digest extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly maxBytes: number;
  private readonly quota: QuotaRecord | null;
  private readonly quotaBytes: number;

  constructor(maxBytes: number, quota: QuotaRecord | null) {
    super();
    this.maxBytes = maxBytes;
    this.quota = quota;
    this.quotaBytes = quota ? remainingBytes(quota) : Number.POSITIVE_INFINITY;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    // The parser enforces the size limit too; this guards callers that hand us any stream.
    if (this.bytes > this.maxBytes) {
      callback(fileTooLarge(this.maxBytes));
      return;
    }
    if (this.quota && this.bytes > this.quotaBytes) {
      callback(quotaExceeded(this.quota));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

export interface StoredObject {
  readonly key: string;
  readonly mimeType: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Removes the object again (duplicate, or the row could not be written). Never throws. */
  discard(): Promise<void>;
}

export interface StoreOptions {
  readonly store: ObjectStore;
  /** Told when bytes could not be removed after a failure: they are then an orphan to clean up. */
  readonly logger: Logger;
  readonly maxBytes: number;
  /**
   * The owner's quota when the upload began (null: not limited). Only caps the stream:
   * the charge itself happens when the document is recorded (registerStoredDocument).
   */
  readonly quota: QuotaRecord | null;
  readonly allowedTypes: ReadonlySet<string>;
  /** The caller hung up: stop reading, abort the S3 requests in flight, store nothing. */
  readonly signal?: AbortSignal | undefined;
}

/** `{userId|_anonymous}/{documentId}/{uuid}{ext}`: the uuid keeps a retried upload from overwriting. */
export function objectKey(owner: string | null, documentId: string, extension: string): string {
  return `${owner ?? '_anonymous'}/${documentId}/${randomUUID()}${extension}`;
}

/**
 * Streams `source` into the bucket: sniff the head, then hash, count and upload in one
 * pass. Any failure (type, size, quota, the source breaking off, the store) leaves no object.
 */
export async function storeObject(
  options: StoreOptions,
  source: Readable,
  file: { filename: string; owner: string | null; documentId: string },
): Promise<StoredObject> {
  let writer: ObjectWriter | undefined;
  try {
    const { type, body } = await sniffUpload(source, file.filename, options.allowedTypes);
    const digest = new Digest(options.maxBytes, options.quota);
    writer = new ObjectWriter(
      options.store,
      objectKey(file.owner, file.documentId, type.extension),
      type.mimeType,
      options.signal,
    );
    await pipeline(body, digest, writer, options.signal ? { signal: options.signal } : {});
    const stored = writer;
    return {
      key: stored.key,
      mimeType: type.mimeType,
      sha256: digest.hex(),
      sizeBytes: digest.bytes,
      discard: () => discardLogged(options.logger, stored),
    };
  } catch (error) {
    source.destroy();
    if (writer) await discardLogged(options.logger, writer);
    // A hang-up is reported as such, not as the AbortError the pipeline saw.
    throw options.signal?.aborted ? options.signal.reason : error;
  }
}

/** Delays of the removal retries after a failed (or uncertain) discard: about a minute in all. */
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000];

async function discardLogged(logger: Logger, writer: ObjectWriter): Promise<void> {
  const error = await writer.discard();
  if (!error && !writer.outcomeUnknown) return;
  if (error)
    logger.warn({ err: error, key: writer.key }, 'could not remove the bytes of an upload; retrying');
  // The store may be hanging rather than gone: it can complete a PUT it still holds after
  // our removal, or answer a later removal. Keep removing for a while, in the background.
  void retryDiscard(logger, writer);
}

async function retryDiscard(logger: Logger, writer: ObjectWriter): Promise<void> {
  let error: Error | undefined;
  for (const delay of RETRY_DELAYS_MS) {
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
    error = await writer.removeAgain();
    // A PUT of unknown outcome is removed on every round: removing a missing key is a no-op.
    if (!error && !writer.outcomeUnknown) return;
  }
  if (error) {
    logger.error(
      { err: error, key: writer.key },
      'could not remove the bytes of a failed or duplicate upload; the object is an orphan',
    );
  }
}
