import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '@docuvault/shared/logging/logger';
import { callS3, type ObjectStore } from '@docuvault/shared/object-store/client';
import { removeObject } from '@docuvault/shared/object-store/removal';
import type { EntityManager } from '@mikro-orm/postgresql';
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
    await upload(deps.store, key, rendering.file, rendering.bytes, source);
    let recorded = false;
    try {
      recorded = await recordThumbnail(em, document.id, key);
    } finally {
      // Deleted meanwhile (its deletion saw no thumbnail to remove), another job's is
      // recorded, or the row could not be written: no row names the object, so it goes.
      if (!recorded) await removeObject(deps.store, key).catch(() => undefined);
    }
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
