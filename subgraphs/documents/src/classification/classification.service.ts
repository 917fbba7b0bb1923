import { badInput, notFound } from '@docuvault/shared/errors/index';
import type { ClassifyQueue } from '@docuvault/shared/queue/classify-queue';
import type { ListCursor } from '../documents/cursor.ts';
import { findDocumentsByIds, listDocuments, type DocumentRecord } from '../documents/documents.repository.ts';
import { documentFilterOf, type DocumentFilterInput } from '../documents/search-filters.ts';
import { documentFilterCondition } from '../documents/search-filters.repository.ts';
import { parseId } from '../documents/input.ts';
import type { Vault } from '../documents/vault.ts';
import { listScope } from '../sharing/visibility.ts';
import { queueUnavailable } from './classification.errors.ts';
import { requestReclassification } from './enqueue.ts';
import { findLiveModel } from './training.repository.ts';

export interface ClassifierStatus {
  trainedAt: Date | null;
  documentsUsed: number;
  topics: number;
}

/** Documents reclassifyAll reads per query while collecting ids. */
const PAGE = 1_000;

async function enqueue(
  queue: ClassifyQueue,
  ids: readonly string[],
  requestId: string | undefined,
): Promise<number> {
  try {
    return await requestReclassification(queue, ids, requestId);
  } catch (error) {
    throw queueUnavailable(error);
  }
}

/** Queues the document for classification; answers it as it is now (the worker changes its status). */
export async function reclassifyDocument(
  vault: Vault,
  queue: ClassifyQueue,
  idInput: string,
  requestId: string | undefined,
): Promise<DocumentRecord> {
  const id = parseId(idInput, 'id');
  const document = (await findDocumentsByIds(vault.em, vault.owner, [id])).get(id);
  if (!document) throw notFound('Document', id);
  await enqueue(queue, [id], requestId);
  return document;
}

/** Queues every document the filter selects (all of the vault without one); answers how many. */
export async function reclassifyAll(
  vault: Vault,
  queue: ClassifyQueue,
  filterInput: DocumentFilterInput | null | undefined,
  requestId: string | undefined,
): Promise<number> {
  const values = await documentFilterOf(vault, filterInput);
  // Reclassifying is the owner's act (it reads and rewrites the owner's topics): never others' documents.
  if (values.sharedWithMe) {
    throw badInput('reclassifyAll works on your own documents; filter.sharedWithMe is not allowed here', {
      argument: 'filter.sharedWithMe',
    });
  }
  const filter = documentFilterCondition(values);
  const scope = listScope(vault.owner, false);
  let count = 0;
  let cursor: ListCursor | undefined;
  for (;;) {
    const page = await listDocuments(vault.em, scope, filter, cursor, PAGE);
    count += await enqueue(
      queue,
      page.map((document) => document.id),
      requestId,
    );
    const last = page.at(-1);
    if (page.length < PAGE || !last) return count;
    cursor = { createdAt: last.createdAtExact, id: last.id };
  }
}

export async function classifierStatus(vault: Vault): Promise<ClassifierStatus> {
  const live = await findLiveModel(vault.em, vault.owner);
  return live
    ? { trainedAt: live.trainedAt, documentsUsed: live.documentsUsed, topics: live.topics }
    : { trainedAt: null, documentsUsed: 0, topics: 0 };
}
