import { db } from '@docuvault/shared/db/kysely';
import type { MatchMode } from '@docuvault/shared/db/entities/topics';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { TopicRecord } from '../documents/documents.repository.ts';
import { ownedBy } from '../data/query-helpers.ts';

export interface TopicValues {
  name: string;
  matchMode: MatchMode;
  pattern: string | null;
  caseSensitive: boolean;
}

const TOPIC_COLUMNS = [
  'id',
  'name',
  'match_mode as matchMode',
  'pattern',
  'case_sensitive as caseSensitive',
] as const;

/** The table's columns for `values`. */
const columnsOf = (values: TopicValues) => ({
  name: values.name,
  match_mode: values.matchMode,
  pattern: values.pattern,
  case_sensitive: values.caseSensitive,
});

/** Sorted by name as people read it (case-insensitive), ties broken stably. */
export async function listTopics(em: EntityManager, owner: string | null): Promise<TopicRecord[]> {
  return db(em)
    .selectFrom('topics')
    .select(TOPIC_COLUMNS)
    .where(ownedBy('user_id', owner))
    .orderBy((eb) => eb.fn('lower', ['name']))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** The topic, locked for an update in the caller's transaction. */
export async function lockTopic(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<TopicRecord | undefined> {
  return db(em)
    .selectFrom('topics')
    .select(TOPIC_COLUMNS)
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .forUpdate()
    .executeTakeFirst();
}

export async function insertTopic(
  em: EntityManager,
  owner: string | null,
  values: TopicValues,
): Promise<TopicRecord> {
  return db(em)
    .insertInto('topics')
    .values({ user_id: owner, ...columnsOf(values) })
    .returning(TOPIC_COLUMNS)
    .executeTakeFirstOrThrow(() => new Error('insert into topics returned no row'));
}

export async function updateTopicRow(
  em: EntityManager,
  owner: string | null,
  id: string,
  values: TopicValues,
): Promise<TopicRecord | undefined> {
  return db(em)
    .updateTable('topics')
    .set({ ...columnsOf(values), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .returning(TOPIC_COLUMNS)
    .executeTakeFirst();
}

/** Deletes the topic; its document links cascade. False when it was not there. */
export async function deleteTopicRow(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  const result = await db(em)
    .deleteFrom('topics')
    .where('id', '=', id)
    .where(ownedBy('user_id', owner))
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
