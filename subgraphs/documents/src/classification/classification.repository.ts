import type { DocumentStatus } from '@docuvault/shared/db/entities/documents';
import type { TopicSource } from '@docuvault/shared/db/entities/topics';
import type { EntityManager } from '@mikro-orm/postgresql';
import { execute, queryOne, sql } from '../documents/sql.ts';
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
  return queryOne<DocumentToClassify>(
    em,
    sql`select d.id, d.user_id as owner, d.title, d.mime_type as "mimeType", d.object_key as "objectKey",
               d.size_bytes::float8 as "sizeBytes", d.status
        from documents d where d.id = ${id}::uuid`,
  );
}

export async function setStatus(
  em: EntityManager,
  id: string,
  status: DocumentStatus,
  failureReason: string | null = null,
): Promise<void> {
  await execute(
    em,
    sql`update documents set status = ${status}, failure_reason = ${failureReason}, updated_at = now()
        where id = ${id}::uuid`,
  );
}

/**
 * FAILED, unless the document has since been classified (another attempt or worker got
 * there) or already failed with a reason of its own.
 */
export async function markFailedIfPending(em: EntityManager, id: string, reason: string): Promise<void> {
  await execute(
    em,
    sql`update documents set status = 'FAILED', failure_reason = ${reason}, updated_at = now()
        where id = ${id}::uuid and status in ('UPLOADED', 'PROCESSING')`,
  );
}

/**
 * Stores text and topics in one transaction, so readers never see new text with old
 * topics. Idempotent: the classifier's rows become exactly `assignments` (rows kept where
 * they stay, so created_at survives a rerun), a MANUAL row is never touched (a person's
 * choice outranks a guess), and a topic deleted meanwhile is skipped. Answers false when
 * the document is gone.
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
    const locked = await queryOne<{ id: string }>(
      tx,
      sql`select id from documents where id = ${id}::uuid for update`,
    );
    if (!locked) return false;
    await execute(
      tx,
      sql`delete from document_topics dt
          where dt.document_id = ${id}::uuid and dt.source <> 'MANUAL'
            and dt.topic_id not in (select (r ->> 'topic_id')::uuid from jsonb_array_elements(${rows}::jsonb) r)`,
    );
    await execute(
      tx,
      sql`insert into document_topics (document_id, topic_id, confidence, source, explanation, model_trained_at)
          select ${id}::uuid, a.topic_id, a.confidence, a.source, a.explanation, a.model_trained_at
          from jsonb_to_recordset(${rows}::jsonb)
               as a(topic_id uuid, confidence float8, source text, explanation jsonb, model_trained_at timestamptz)
          join topics t on t.id = a.topic_id
          on conflict (document_id, topic_id) do update
            set confidence = excluded.confidence, source = excluded.source,
                explanation = excluded.explanation, model_trained_at = excluded.model_trained_at
            where document_topics.source <> 'MANUAL'`,
    );
    await execute(
      tx,
      sql`update documents set extracted_text = ${text}, status = 'CLASSIFIED', failure_reason = null,
            text_source = ${source.kind}, text_layer_pages = ${source.textLayerPages}, ocr_pages = ${source.ocrPages},
            skipped_pages = ${source.skippedPages}, text_note = ${source.note}, updated_at = now()
          where id = ${id}::uuid`,
    );
    return true;
  });
}
