import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { ownedBy } from '../data/query-helpers.ts';
import type { TopicRecord } from '../documents/documents.repository.ts';
import { MODEL_KIND } from './model/stored-model.ts';
import { TRAINING_TEXT_CHARS } from './training.repository.ts';

// Reads behind Document.suggestedTopics and classifierStatus's per-topic figures. Every
// query is scoped to the vault: another user's document or topic is simply not found.

export interface DocumentText {
  id: string;
  title: string;
  /** The start of the extracted text, as much as training reads. */
  text: string;
}

export async function findDocumentTexts(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<DocumentText[]> {
  const { rows } = await sql<DocumentText>`
    select d.id, d.title, left(coalesce(d.extracted_text, ''), ${TRAINING_TEXT_CHARS}::int) as text
    from documents d where d.id = any(${ids}::uuid[]) and ${ownedBy('d.user_id', owner)}`.execute(db(em));
  return rows;
}

export interface AutoTopicLabels extends TopicRecord {
  /** Documents a person gave this topic (source MANUAL): what the model can learn from. */
  examples: number;
}

export async function findAutoTopicsWithLabels(
  em: EntityManager,
  owner: string | null,
): Promise<AutoTopicLabels[]> {
  const { rows } = await sql<AutoTopicLabels>`
    select t.id, t.name, t.match_mode as "matchMode", t.pattern, t.case_sensitive as "caseSensitive",
           (select count(*)::int from document_topics dt where dt.topic_id = t.id and dt.source = 'MANUAL') as examples
    from topics t where ${ownedBy('t.user_id', owner)} and t.match_mode = 'AUTO'
    order by t.name, t.id`.execute(db(em));
  return rows;
}

export interface ModelQualityRow {
  threshold: number | null;
  topics: { topicId: string; heldOutAccuracy: number | null }[] | null;
}

/** The calibration figures of a stored model, read out of its JSON without loading its weights. */
export async function findModelQuality(
  em: EntityManager,
  modelId: string,
): Promise<ModelQualityRow | undefined> {
  // ->> answers SQL null for a JSON null; a model of the old format has neither figure.
  const { rows } = await sql<ModelQualityRow>`
    select (m.model ->> 'threshold')::float8 as threshold,
           case when m.model ->> 'kind' = ${MODEL_KIND}::text then m.model -> 'topics' end as topics
    from classifier_models m where m.id = ${modelId}::uuid`.execute(db(em));
  return rows[0];
}
