import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { TopicRecord } from '../documents/documents.repository.ts';

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
  const ids = sql<boolean>`any(${documentIds}::uuid[])`;
  // octet_length reads a toasted text's size without fetching it.
  const documents = await db(em)
    .selectFrom('documents as d')
    .select([
      'd.id',
      sql<boolean>`d.status = 'CLASSIFIED' and octet_length(coalesce(d.extracted_text, '')) = 0`.as(
        'titleOnly',
      ),
    ])
    .where(sql<boolean>`d.id = ${ids}`)
    .execute();
  const rows: (TopicRecord & {
    documentId: string;
    terms: string[] | null;
    modelTrainedAt: string | null;
  })[] = await db(em)
    .selectFrom('document_topics as dt')
    .innerJoin('topics as t', 't.id', 'dt.topic_id')
    .select([
      'dt.document_id as documentId',
      sql<string[] | null>`dt.explanation -> 'terms'`.as('terms'),
      'dt.model_trained_at as modelTrainedAt',
      't.id',
      't.name',
      't.match_mode as matchMode',
      't.pattern',
      't.case_sensitive as caseSensitive',
    ])
    .where(sql<boolean>`dt.document_id = ${ids}`)
    .where('dt.source', '<>', 'MANUAL')
    .orderBy('dt.confidence', 'desc')
    .orderBy('t.name')
    .orderBy('t.id')
    .execute();
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
