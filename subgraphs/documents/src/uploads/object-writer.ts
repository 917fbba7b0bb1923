import { Writable } from 'node:stream';
import { callS3, type ObjectStore } from '@docuvault/shared/object-store/client';
import { ObjectStoreError } from './upload-errors.ts';

/**
 * S3 needs the length of every request body, and a multipart part must be at least
 * 5 MiB (the last excepted). 8 MiB parts keep at most two parts of a file in memory
 * (one filling, one in flight) whatever the file's size.
 */
export const PART_SIZE = 8 * 1024 * 1024;

/**
 * One S3 call within its deadline (S3_REQUEST_TIMEOUT_MS), aborted when `signal` fires.
 * The caller's own abort passes through as it is; the store's failures are ObjectStoreErrors.
 */
async function attempt<T>(
  store: ObjectStore,
  operation: string,
  run: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await callS3(store, run, { signal });
  } catch (error) {
    if (signal?.aborted && error === signal.reason) throw error;
    throw new ObjectStoreError(operation, error);
  }
}

/**
 * A Writable that stores what it is given as one object, streaming: files below one part
 * go up in a single PUT at the end, larger ones as a multipart upload part by part. The
 * object becomes visible only when the stream finishes; `discard()` aborts an unfinished
 * multipart upload or removes a finished object, so a failure anywhere leaves nothing.
 *
 * minio's own putObject with an unknown size cannot be used: it picks parts of ~500 MB
 * (sized for a 5 TB object) and holds each in memory, and leaves an unfinished upload
 * behind when the source fails.
 */
export class ObjectWriter extends Writable {
  readonly key: string;
  private readonly store: ObjectStore;
  private readonly contentType: string;
  /** Two part buffers, filled in turn: one fills while the other is being uploaded. */
  private readonly buffers: (Buffer | undefined)[] = [undefined, undefined];
  private current = 0;
  private filled = 0;
  private uploadId: string | undefined;
  private readonly etags: { part: number; etag: string }[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  /** The running startPart/finish, so discard() waits for an initiate that is under way. */
  private working: Promise<void> = Promise.resolve();
  private completed = false;
  private putStarted = false;
  private discarding: Promise<Error | undefined> | undefined;
  /** The caller hung up: requests in flight are aborted (discarding is not). */
  private readonly signal: AbortSignal | undefined;

  constructor(store: ObjectStore, key: string, contentType: string, signal?: AbortSignal) {
    super({ highWaterMark: 1024 * 1024 });
    this.store = store;
    this.key = key;
    this.contentType = contentType;
    this.signal = signal;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.working = this.append(chunk);
    this.working.then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.working = this.finish();
    this.working.then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Destroyed before finishing (the source failed, the client left): drop what was sent.
    if (!this.completed) void this.discard();
    callback(error);
  }

  /**
   * Aborts the multipart upload or removes the stored object. Never throws; idempotent.
   * Answers the store's error when that failed too (the caller logs the orphan).
   */
  discard(): Promise<Error | undefined> {
    this.discarding ??= this.removeEverything();
    return this.discarding;
  }

  /**
   * True when a PUT was sent and never confirmed (it failed, timed out or was aborted):
   * a store that hung may still complete it later, after a removal already succeeded.
   */
  get outcomeUnknown(): boolean {
    return this.putStarted && !this.completed;
  }

  /** One more removal attempt, after discard(): for retries. Never throws. */
  removeAgain(): Promise<Error | undefined> {
    return this.removeEverything();
  }

  private async removeEverything(): Promise<Error | undefined> {
    const { client, bucket } = this.store;
    await this.working.catch(() => undefined);
    await this.inFlight.catch(() => undefined);
    this.buffers.fill(undefined);
    const uploadId = this.uploadId;
    try {
      // Within the deadline, but never cut short by the caller's hang-up: this is the cleanup.
      if (this.completed || this.putStarted) {
        // A single PUT may have reached the store even if we saw it fail: remove regardless.
        await callS3(this.store, () => client.removeObject(bucket, this.key));
      } else if (uploadId) {
        await callS3(this.store, () => client.abortMultipartUpload(bucket, this.key, uploadId));
      }
      return undefined;
    } catch (error) {
      // Already gone (an earlier attempt got through after all): nothing left to remove.
      if ((error as { code?: string }).code === 'NoSuchUpload') return undefined;
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Copies into the part buffer rather than keeping the chunks: a part then costs its
   * 8 MiB once, never chunks plus their concatenation. (allocUnsafe: pages a small file
   * never touches are never committed.)
   */
  private async append(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const buffer = (this.buffers[this.current] ??= Buffer.allocUnsafe(PART_SIZE));
      const copied = chunk.copy(buffer, this.filled, offset);
      offset += copied;
      this.filled += copied;
      if (this.filled === PART_SIZE) await this.startPart();
    }
  }

  private currentBytes(): Buffer {
    return this.buffers[this.current]?.subarray(0, this.filled) ?? Buffer.alloc(0);
  }

  private async startPart(): Promise<void> {
    const body = this.currentBytes();
    this.current = 1 - this.current;
    this.filled = 0;
    // The other buffer is the part in flight: it must be stored before we fill it again.
    await this.inFlight;
    if (this.destroyed) throw new Error('object writer destroyed');
    const { client, bucket } = this.store;
    // The part's bytes are not hashed for the signature: storeObject already hashes the file once (ADR 0020).
    const partClient = this.store.partClient ?? client;
    const uploadId = (this.uploadId ??= await attempt(
      this.store,
      'initiate multipart upload',
      () => client.initiateNewMultipartUpload(bucket, this.key, { 'Content-Type': this.contentType }),
      this.signal,
    ));
    const part = this.etags.length + 1;
    const upload = attempt(
      this.store,
      `upload part ${part}`,
      () =>
        partClient.uploadPart(
          { bucketName: bucket, objectName: this.key, uploadID: uploadId, partNumber: part, headers: {} },
          body,
        ),
      this.signal,
    );
    // Reserve the part number now; the etag arrives when the part is stored.
    const entry = { part, etag: '' };
    this.etags.push(entry);
    this.inFlight = upload.then(({ etag }) => {
      entry.etag = etag;
    });
    // Observed by the next startPart/finish; this only keeps an early failure from being "unhandled".
    this.inFlight.catch(() => undefined);
  }

  private async finish(): Promise<void> {
    const { client, bucket } = this.store;
    if (!this.uploadId) {
      const body = this.currentBytes();
      this.putStarted = true;
      await attempt(
        this.store,
        'put object',
        () => client.putObject(bucket, this.key, body, body.length, { 'Content-Type': this.contentType }),
        this.signal,
      );
    } else {
      if (this.filled > 0) await this.startPart();
      await this.inFlight;
      const uploadId = this.uploadId;
      await attempt(
        this.store,
        'complete multipart upload',
        () => client.completeMultipartUpload(bucket, this.key, uploadId, this.etags),
        this.signal,
      );
    }
    this.completed = true;
  }
}
