import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '@docuvault/shared/logging/logger';
import { callS3, type ObjectStore } from '@docuvault/shared/object-store/client';
import { removeObject } from '@docuvault/shared/object-store/removal';
import type { EntityManager } from '@mikro-orm/postgresql';
import { queueDeferredRemoval, takeBackRemoval } from '../object-removals/object-removals.repository.ts';
import { renderThumbnail, type RenderSettings } from './render.ts';
import { findThumbnailTarget, recordThumbnail, type ThumbnailTarget } from './thumbnails.repository.ts';
import { THUMBNAIL_FORMATS, thumbnailKey, thumbnailSource, type ThumbnailSource } from './thumbnails.ts';

export interface ThumbnailSettings extends RenderSettings {
  /** Download, rendering and upload of one thumbnail together. */
  timeoutMs: number;
}

export interface ThumbnailDeps {
  store: ObjectStore;
  logger: Logger;
  settings: ThumbnailSettings;
}

export type ThumbnailOutcome =
  | { outcome: 'made'; key: string; bytes: number }
  | { outcome: 'none' | 'exists' | 'gone' | 'stopped' }
  | { outcome: 'failed'; reason: string };

/** The stored object into a private temporary file. */
async function download(store: ObjectStore, key: string, file: string, signal: AbortSignal): Promise<void> {
  const body = await callS3(store, () => store.client.getObject(store.bucket, key), { signal });
  await pipeline(body, createWriteStream(file, { mode: 0o600 }), { signal });
}

async function upload(store: ObjectStore, key: string, file: string, bytes: number, source: ThumbnailSource) {
  const contentType = THUMBNAIL_FORMATS[source].contentType;
  await callS3(store, () =>
    store.client.putObject(store.bucket, key, createReadStream(file), bytes, { 'Content-Type': contentType }),
  );
}

/**
 * How long an unrecorded thumbnail may stay: far longer than storing and recording one
 * takes (the upload is a few hundred KB), so the removal is never due before the record.
 */
export const UNRECORDED_THUMBNAIL_SECONDS = 3_600;

/**
 * Stores the rendered thumbnail and records it on the document. Its removal is queued
 * first, due later, and taken back in the transaction that records it: a worker that dies
 * between the two (killed, out of memory) leaves an object that no row names, and the
 * object-removal sweeper takes it once due. Answers whether the row now names it.
 */
async function storeAndRecord(
  deps: ThumbnailDeps,
  em: EntityManager,
  document: ThumbnailTarget,
  key: string,
  rendering: { file: string; bytes: number },
  source: ThumbnailSource,
): Promise<boolean> {
  const removal = await queueDeferredRemoval(em, key, UNRECORDED_THUMBNAIL_SECONDS, 'thumbnail not recorded');
  await upload(deps.store, key, rendering.file, rendering.bytes, source);
  let recorded = false;
  try {
    // A removal already carried out (the job stalled past its due time) means no object.
    recorded = await em.transactional(
      async (tx) => (await takeBackRemoval(tx, removal)) && (await recordThumbnail(tx, document.id, key)),
    );
  } finally {
    // Deleted meanwhile (its deletion saw no thumbnail to remove), another job's is
    // recorded, or the row could not be written: no row names the object, so it goes now;
    // if the store refuses, the queued removal (or the sweeper) still takes it.
    if (!recorded) {
      await removeObject(deps.store, key)
        .then(() => takeBackRemoval(em, removal))
        .catch(() => undefined);
    }
  }
  return recorded;
}

async function render(
  deps: ThumbnailDeps,
  em: EntityManager,
  document: ThumbnailTarget,
  source: ThumbnailSource,
  signal: AbortSignal,
): Promise<ThumbnailOutcome> {
  const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-thumbnail-'));
  try {
    const input = path.join(dir, 'object');
    await download(deps.store, document.objectKey, input, signal);
    const rendering = await renderThumbnail(input, source, dir, deps.settings, signal);
    if (!rendering.ok) return { outcome: 'failed', reason: rendering.reason };
    const key = thumbnailKey(document.objectKey, source);
    const recorded = await storeAndRecord(deps, em, document, key, rendering, source);
    return recorded ? { outcome: 'made', key, bytes: rendering.bytes } : { outcome: 'gone' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes the document's thumbnail unless it is gone, its type has none or it has one. What
 * the file decides ends here: a file the renderer refuses, or one that outruns the caps,
 * answers `failed` with the reason (logged; rendering it again would end the same). What
 * the file does not decide (the store or the database failing) is thrown, for the job to
 * be retried. `signal` (shutdown, the document deleted) answers `stopped`.
 */
export async function makeThumbnail(
  deps: ThumbnailDeps,
  em: EntityManager,
  documentId: string,
  signal: AbortSignal,
): Promise<ThumbnailOutcome> {
  const started = performance.now();
  const document = await findThumbnailTarget(em, documentId);
  if (!document) return { outcome: 'gone' };
  if (document.thumbnailKey !== null) return { outcome: 'exists' };
  const source = thumbnailSource(document.mimeType);
  if (!source) return { outcome: 'none' };
  const stop = AbortSignal.any([signal, AbortSignal.timeout(deps.settings.timeoutMs)]);
  let result: ThumbnailOutcome;
  try {
    result = await render(deps, em, document, source, stop);
  } catch (error) {
    if (!stop.aborted) throw error;
    result = { outcome: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
  // Stopped by the caller: not the file's doing.
  if (result.outcome === 'failed' && signal.aborted) result = { outcome: 'stopped' };
  else if (result.outcome === 'failed' && stop.aborted)
    result = {
      outcome: 'failed',
      reason: `not made within ${deps.settings.timeoutMs} ms (${result.reason})`,
    };
  const ms = Math.round(performance.now() - started);
  if (result.outcome === 'failed')
    deps.logger.warn({ documentId, ms, reason: result.reason }, 'document has no thumbnail');
  else deps.logger.debug({ documentId, ms, ...result }, 'thumbnail');
  return result;
}
