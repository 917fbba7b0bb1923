import type { Logger } from '@docuvault/shared/logging/logger';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { ClassifyDocumentJob } from '@docuvault/shared/queue/jobs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { classify } from '../classification/classify.ts';
import {
  findDocumentToClassify,
  type DocumentToClassify,
  saveClassification,
  setStatus,
} from '../classification/classification.repository.ts';
import type { ModelCache } from '../classification/model-cache.ts';
import type { RegexSandbox } from '../classification/rules/regex-sandbox.ts';
import type { ExtractionSandbox } from '../classification/text/extraction-sandbox.ts';
import { UnreadableDocumentError } from '../classification/text/extraction.errors.ts';
import { requestThumbnail, type ThumbnailQueue } from '../thumbnails/thumbnail-queue.ts';
import { listTopics } from '../topics/topics.repository.ts';
import type { DocumentCancellations } from './document-cancellations.ts';
import { waitForSlotMs, type OwnerSlots } from './owner-slots.ts';

export interface ClassifyDeps {
  /** The root entity manager; each job works on a fork. */
  em: EntityManager;
  store: ObjectStore;
  logger: Logger;
  regex: RegexSandbox;
  models: ModelCache;
  /** Where text is extracted: child processes under memory and time limits. */
  extraction: ExtractionSandbox;
  cancellations: DocumentCancellations;
  ownerSlots: OwnerSlots;
  /** Where a classified document's thumbnail is asked for (its own job, docs/adr/0015-thumbnail-jobs.md). */
  thumbnailQueue: ThumbnailQueue;
}

export interface ClassifyResult {
  outcome: 'classified' | 'gone' | 'deleted while classified';
  topics?: number;
  textSource?: string;
  /** A thumbnail job was asked for (false: the document's type has none). */
  thumbnailRequested?: boolean;
}

/**
 * UPLOADED → PROCESSING → CLASSIFIED. Everything but the id is read here, from Postgres
 * and the bucket, so a job is never stale. Rerunning it gives the same end state. A heavy
 * document whose owner already runs their share of heavy jobs waits (delayed, still
 * UPLOADED); a document deleted meanwhile stops its job.
 */
export async function classifyDocumentJob(
  deps: ClassifyDeps,
  job: Job<ClassifyDocumentJob>,
  signal: AbortSignal,
  token?: string,
): Promise<ClassifyResult> {
  const em = deps.em.fork();
  const { documentId } = job.data;
  const document = await findDocumentToClassify(em, documentId);
  if (!document) {
    deps.logger.info({ documentId }, 'document is gone; nothing to classify');
    return { outcome: 'gone' };
  }
  const slot = await deps.ownerSlots.claim(document, job.id ?? documentId);
  if (!slot) {
    await job.moveToDelayed(Date.now() + waitForSlotMs(), token);
    throw new DelayedError('the owner runs their share of heavy jobs: waiting for a slot');
  }
  const deletion = deps.cancellations.watch(document.id);
  try {
    const stop = AbortSignal.any([signal, deletion.signal]);
    const result = await classifyDocument(deps, em, job, document, stop);
    if (result.outcome !== 'classified') return result;
    // Once CLASSIFIED, whatever becomes of the thumbnail. Should Redis refuse the request,
    // the job fails and its retry classifies again (the same result) and asks again.
    const thumbnailRequested = await requestThumbnail(deps.thumbnailQueue, document, job.data.requestId);
    return { ...result, thumbnailRequested };
  } catch (error) {
    if (!deletion.signal.aborted || signal.aborted) throw error;
    deps.logger.info({ documentId }, 'document deleted while it was classified: job stopped');
    return { outcome: 'deleted while classified' };
  } finally {
    deletion.release();
    await slot.release().catch(() => undefined);
  }
}

async function classifyDocument(
  deps: ClassifyDeps,
  em: EntityManager,
  job: Job<ClassifyDocumentJob>,
  document: DocumentToClassify,
  signal: AbortSignal,
): Promise<ClassifyResult> {
  const documentId = document.id;
  const started = performance.now();
  await setStatus(em, documentId, 'PROCESSING');
  try {
    const extraction = await deps.extraction.extract(
      deps.store,
      document.objectKey,
      document.mimeType,
      signal,
    );
    const extractedAt = performance.now();
    const topics = await listTopics(em, document.owner);
    const model = await deps.models.live(em, document.owner);
    const assignments = await classify(
      { title: document.title, text: extraction.text },
      topics,
      model,
      deps.regex,
      deps.logger,
    );
    // Past this point the result is written whole; a shutdown waits for it instead.
    signal.throwIfAborted();
    const classifiedAt = performance.now();
    if (!(await saveClassification(em, documentId, extraction, assignments))) return { outcome: 'gone' };
    const ms = (from: number, to: number) => Math.round(to - from);
    deps.logger.info(
      {
        documentId,
        ms: ms(started, performance.now()),
        extractMs: ms(started, extractedAt),
        classifyMs: ms(extractedAt, classifiedAt),
        extractionPeakRssMb: Math.round(extraction.peakRssBytes / (1024 * 1024)),
        textSource: extraction.source,
        truncated: extraction.truncated,
        topics: assignments.length,
      },
      extraction.source.kind === 'NONE'
        ? 'document classified from its title alone (no text found)'
        : 'document classified',
    );
    return { outcome: 'classified', topics: assignments.length, textSource: extraction.source.kind };
  } catch (error) {
    throw await recordFailure(em, job, signal, error);
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message || error.name : String(error));

/**
 * What a failed attempt leaves behind. Released (shutdown): back to UPLOADED, the job
 * returns to the queue. Unreadable bytes: FAILED now, no retries. Anything else: FAILED
 * only after the last attempt; until then the document stays PROCESSING.
 */
async function recordFailure(
  em: EntityManager,
  job: Job,
  signal: AbortSignal,
  error: unknown,
): Promise<unknown> {
  const documentId = (job.data as ClassifyDocumentJob).documentId;
  if (signal.aborted) {
    await setStatus(em, documentId, 'UPLOADED');
    return error;
  }
  if (error instanceof UnreadableDocumentError) {
    await setStatus(em, documentId, 'FAILED', error.message);
    return new UnrecoverableError(error.message);
  }
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 >= attempts) {
    const tries = attempts === 1 ? 'once' : `${attempts} times`;
    await setStatus(
      em,
      documentId,
      'FAILED',
      `Classification was tried ${tries} and failed: ${describe(error)}`,
    );
  }
  return error;
}
