import type { EntityManager } from '@mikro-orm/postgresql';
import type { TopicRecord } from '../documents/documents.repository.ts';
import { query, sql, uuidArray } from '../documents/sql.ts';

// Reads of what the classifier stored, for the API: nothing here re-runs it.

export interface TopicExplanation {
  topic: TopicRecord;
  terms: string[];
}

export interface ClassificationDetails {
  explanation: TopicExplanation[];
  /** When the model behind the document's AUTO topics was trained; null without any. */
  modelTrainedAt: Date | null;
  /** Classified, but no text could be read: the title was all there was. */
  titleOnly: boolean;
}

export async function findClassificationDetails(
  em: EntityManager,
  documentIds: readonly string[],
): Promise<Map<string, ClassificationDetails>> {
  // octet_length reads a toasted text's size without fetching it.
  const documents = await query<{ id: string; titleOnly: boolean }>(
    em,
    sql`select d.id, (d.status = 'CLASSIFIED' and octet_length(coalesce(d.extracted_text, '')) = 0) as "titleOnly"
        from documents d where d.id = any(${uuidArray(documentIds)})`,
  );
  const rows = await query<
    TopicRecord & { documentId: string; terms: string[] | null; modelTrainedAt: string | null }
  >(
    em,
    sql`select dt.document_id as "documentId", dt.explanation -> 'terms' as terms, dt.model_trained_at as "modelTrainedAt",
               t.id, t.name, t.match_mode as "matchMode", t.pattern, t.case_sensitive as "caseSensitive"
        from document_topics dt join topics t on t.id = dt.topic_id
        where dt.document_id = any(${uuidArray(documentIds)}) and dt.source <> 'MANUAL'
        order by dt.confidence desc, t.name, t.id`,
  );
  const details = new Map<string, ClassificationDetails>(
    documents.map((row) => [row.id, { explanation: [], modelTrainedAt: null, titleOnly: row.titleOnly }]),
  );
  for (const { documentId, terms, modelTrainedAt, ...topic } of rows) {
    const entry = details.get(documentId);
    if (!entry) continue;
    entry.explanation.push({ topic, terms: terms ?? [] });
    const trainedAt = modelTrainedAt === null ? null : new Date(modelTrainedAt);
    if (trainedAt && (!entry.modelTrainedAt || trainedAt > entry.modelTrainedAt))
      entry.modelTrainedAt = trainedAt;
  }
  return details;
}
