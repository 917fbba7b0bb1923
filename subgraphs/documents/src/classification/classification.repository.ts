import { db } from '@docuvault/shared/db/kysely';
import type { DocumentStatus } from '@docuvault/shared/db/entities/documents';
import type { TopicSource } from '@docuvault/shared/db/entities/topics';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { TextSource } from './text/ocr/text-source.ts';

// The worker's reads and writes of a document under classification.

export interface DocumentToClassify {
  id: string;
  owner: string | null;
  title: string;
  mimeType: string;
  objectKey: string;
  sizeBytes: number;
  status: DocumentStatus;
}

export interface Assignment {
  topicId: string;
  source: Exclude<TopicSource, 'MANUAL'>;
  confidence: number;
  /** The terms that weighed most. */
  terms: string[];
  /** AUTO: when the model that chose the topic was trained. */
  modelTrainedAt: Date | null;
}

export async function findDocumentToClassify(
  em: EntityManager,
  id: string,
): Promise<DocumentToClassify | undefined> {
  return db(em)
    .selectFrom('documents as d')
    .select([
      'd.id',
      'd.user_id as owner',
      'd.title',
      'd.mime_type as mimeType',
      'd.object_key as objectKey',
      sql<number>`d.size_bytes::float8`.as('sizeBytes'),
      'd.status',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

export async function setStatus(
  em: EntityManager,
  id: string,
  status: DocumentStatus,
  failureReason: string | null = null,
): Promise<void> {
  await db(em)
    .updateTable('documents')
    .set({ status, failure_reason: failureReason, updated_at: sql<string>`now()` })
    .where('id', '=', id)
    .execute();
}

/**
 * FAILED, unless the document has since been classified (another attempt or worker got
 * there) or already failed with a reason of its own.
 */
export async function markFailedIfPending(em: EntityManager, id: string, reason: string): Promise<void> {
  await db(em)
    .updateTable('documents')
    .set({ status: 'FAILED', failure_reason: reason, updated_at: sql<string>`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['UPLOADED', 'PROCESSING'])
    .execute();
}

/**
 * Stores text and topics in one transaction, so readers never see new text with old
 * topics. Idempotent: the classifier's rows become exactly `assignments` (rows kept where
 * they stay, so created_at survives a rerun), a MANUAL row is never touched (a person's
 * choice outranks a guess), and a topic deleted meanwhile is skipped. Answers false when
 * the document is gone. The assignments travel as one jsonb parameter.
 */
export async function saveClassification(
  em: EntityManager,
  id: string,
  extraction: { text: string; source: TextSource },
  assignments: readonly Assignment[],
): Promise<boolean> {
  const { text, source } = extraction;
  const rows = JSON.stringify(
    assignments.map((a) => ({
      topic_id: a.topicId,
      source: a.source,
      confidence: Math.min(1, Math.max(0, a.confidence)),
      explanation: { terms: a.terms },
      model_trained_at: a.modelTrainedAt?.toISOString() ?? null,
    })),
  );
  return em.transactional(async (tx) => {
    const locked = await db(tx)
      .selectFrom('documents')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) return false;
    await sql`
      delete from document_topics dt
      where dt.document_id = ${id}::uuid and dt.source <> 'MANUAL'
        and dt.topic_id not in (select (r ->> 'topic_id')::uuid from jsonb_array_elements(${rows}::jsonb) r)`.execute(
      db(tx),
    );
    await sql`
      insert into document_topics (document_id, topic_id, confidence, source, explanation, model_trained_at)
      select ${id}::uuid, a.topic_id, a.confidence, a.source, a.explanation, a.model_trained_at
      from jsonb_to_recordset(${rows}::jsonb)
           as a(topic_id uuid, confidence float8, source text, explanation jsonb, model_trained_at timestamptz)
      join topics t on t.id = a.topic_id
      on conflict (document_id, topic_id) do update
        set confidence = excluded.confidence, source = excluded.source,
            explanation = excluded.explanation, model_trained_at = excluded.model_trained_at
        where document_topics.source <> 'MANUAL'`.execute(db(tx));
    await db(tx)
      .updateTable('documents')
      .set({
        extracted_text: text,
        status: 'CLASSIFIED',
        failure_reason: null,
        text_source: source.kind,
        text_layer_pages: source.textLayerPages,
        ocr_pages: source.ocrPages,
        skipped_pages: source.skippedPages,
        text_note: source.note,
        updated_at: sql<string>`now()`,
      })
      .where('id', '=', id)
      .execute();
    return true;
  });
}
