import { db } from '@docuvault/shared/db/kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { ownedBy } from '../data/query-helpers.ts';
import { MODEL_KIND } from './model/stored-model.ts';

// What the auto-classifier learns from, and where its models live (classifier_models:
// one row per training, newest per vault is live, a few older kept as history).

export interface LabelledDocument {
  id: string;
  title: string;
  text: string;
  topicIds: string[];
}

/** Text per document used for training: the start of a document says what it is about. */
export const TRAINING_TEXT_CHARS = 20_000;

/** Newest labelled documents first; `limit` bounds training time and memory. */
export async function findLabelledDocuments(
  em: EntityManager,
  owner: string | null,
  limit: number,
): Promise<LabelledDocument[]> {
  const { rows } = await sql<LabelledDocument>`
    select d.id, d.title, left(coalesce(d.extracted_text, ''), ${TRAINING_TEXT_CHARS}::int) as text,
           array_agg(dt.topic_id::text order by dt.topic_id) as "topicIds"
    from documents d join document_topics dt on dt.document_id = d.id and dt.source = 'MANUAL'
    where ${ownedBy('d.user_id', owner)}
    group by d.id
    order by d.created_at desc, d.id desc
    limit ${limit}`.execute(db(em));
  return rows;
}

export async function findAutoTopicIds(em: EntityManager, owner: string | null): Promise<string[]> {
  const rows = await db(em)
    .selectFrom('topics as t')
    .select('t.id')
    .where(ownedBy('t.user_id', owner))
    .where('t.match_mode', '=', 'AUTO')
    .orderBy('t.id')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Per vault, an md5 of what a model learns from: the hand-set (document, topic) pairs and
 * the set of AUTO topics. The vault key is user_id, or the nil uuid for the anonymous one
 * (a plain value, so the full join can hash it). The model format is part of it: a model
 * stored in an older format is stale, so the next label check retrains the vault.
 */
const FINGERPRINTS = sql`
  labels as (
    select coalesce(d.user_id, '00000000-0000-0000-0000-000000000000') as vault,
           string_agg(dt.document_id::text || ':' || dt.topic_id::text, ',' order by dt.document_id, dt.topic_id) as agg
    from document_topics dt join documents d on d.id = dt.document_id
    where dt.source = 'MANUAL' group by 1),
  auto_topics as (
    select coalesce(t.user_id, '00000000-0000-0000-0000-000000000000') as vault,
           string_agg(t.id::text, ',' order by t.id) as agg
    from topics t where t.match_mode = 'AUTO' group by 1),
  fingerprints as (
    select coalesce(l.vault, a.vault) as vault,
           md5(coalesce(l.agg, '') || '|' || coalesce(a.agg, '') || '|' || ${MODEL_KIND}::text) as fingerprint
    from labels l full join auto_topics a on a.vault = l.vault)`;

const NIL_VAULT = '00000000-0000-0000-0000-000000000000';
/** The fingerprint of a vault with no labels and no AUTO topic: nothing to learn. */
const EMPTY_FINGERPRINT = sql<string>`md5('|')`;

export async function currentFingerprint(em: EntityManager, owner: string | null): Promise<string> {
  const { rows } = await sql<{ fingerprint: string }>`
    with ${FINGERPRINTS}
    select coalesce((select f.fingerprint from fingerprints f where f.vault = ${owner ?? NIL_VAULT}::uuid),
                    ${EMPTY_FINGERPRINT}) as fingerprint`.execute(db(em));
  return rows[0]?.fingerprint ?? '';
}

/** Vaults whose labels or AUTO topics differ from what their live model learned (or that have none yet). */
export async function findStaleVaults(em: EntityManager): Promise<(string | null)[]> {
  const { rows } = await sql<{ vault: string }>`
    with ${FINGERPRINTS},
    live as (
      select distinct on (m.user_id) coalesce(m.user_id, '00000000-0000-0000-0000-000000000000') as vault,
             m.labels_fingerprint
      from classifier_models m order by m.user_id, m.trained_at desc, m.id desc)
    select f.vault from fingerprints f left join live on live.vault = f.vault
    where f.fingerprint is distinct from coalesce(live.labels_fingerprint, ${EMPTY_FINGERPRINT})
    order by f.vault`.execute(db(em));
  return rows.map((row) => (row.vault === NIL_VAULT ? null : row.vault));
}

export interface ModelStats {
  documentsUsed: number;
  topics: number;
  sizeBytes: number;
  trainingMs: number;
  labelsFingerprint: string;
}

export interface ModelHeader {
  id: string;
  trainedAt: Date;
  documentsUsed: number;
  topics: number;
}

/** How many models a vault keeps: the live one and some history to compare with. */
export const MODELS_KEPT = 5;

export async function insertModel(
  em: EntityManager,
  owner: string | null,
  modelJson: string,
  stats: ModelStats,
): Promise<ModelHeader> {
  return em.transactional(async (tx) => {
    const row = await db(tx)
      .insertInto('classifier_models')
      .values({
        user_id: owner,
        model: sql<Record<string, unknown>>`${modelJson}::jsonb`,
        documents_used: stats.documentsUsed,
        topics: stats.topics,
        size_bytes: stats.sizeBytes,
        training_ms: stats.trainingMs,
        labels_fingerprint: stats.labelsFingerprint,
      })
      .returning(['id', 'trained_at as trainedAt', 'documents_used as documentsUsed', 'topics'])
      .executeTakeFirstOrThrow();
    await sql`
      delete from classifier_models m where ${ownedBy('m.user_id', owner)} and m.id not in (
        select k.id from classifier_models k where ${ownedBy('k.user_id', owner)}
        order by k.trained_at desc, k.id desc limit ${MODELS_KEPT}::int)`.execute(db(tx));
    return { ...row, trainedAt: new Date(row.trainedAt) };
  });
}

export async function findLiveModel(
  em: EntityManager,
  owner: string | null,
): Promise<ModelHeader | undefined> {
  const row = await db(em)
    .selectFrom('classifier_models as m')
    .select(['m.id', 'm.trained_at as trainedAt', 'm.documents_used as documentsUsed', 'm.topics'])
    .where(ownedBy('m.user_id', owner))
    .orderBy('m.trained_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { ...row, trainedAt: new Date(row.trainedAt) };
}

export async function loadModelJson(em: EntityManager, id: string): Promise<unknown> {
  const row = await db(em)
    .selectFrom('classifier_models as m')
    .select('m.model')
    .where('m.id', '=', id)
    .executeTakeFirst();
  return row?.model;
}
