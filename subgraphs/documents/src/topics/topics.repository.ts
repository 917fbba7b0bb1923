import type { MatchMode } from '@docuvault/shared/db/entities/topics';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TopicRecord } from '../documents/documents.repository.ts';
import { constant, execute, ownedBy, query, queryOne, sql } from '../documents/sql.ts';

export interface TopicValues {
  name: string;
  matchMode: MatchMode;
  pattern: string | null;
  caseSensitive: boolean;
}

const TOPIC_COLUMNS = constant(
  't.id, t.name, t.match_mode as "matchMode", t.pattern, t.case_sensitive as "caseSensitive"',
);

/** Sorted by name as people read it (case-insensitive), ties broken stably. */
export async function listTopics(em: EntityManager, owner: string | null): Promise<TopicRecord[]> {
  return query<TopicRecord>(
    em,
    sql`select ${TOPIC_COLUMNS} from topics t where ${ownedBy('t.user_id', owner)}
        order by lower(t.name), t.name, t.id`,
  );
}

/** The topic, locked for an update in the caller's transaction. */
export async function lockTopic(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<TopicRecord | undefined> {
  return queryOne<TopicRecord>(
    em,
    sql`select ${TOPIC_COLUMNS} from topics t where t.id = ${id}::uuid and ${ownedBy('t.user_id', owner)} for update`,
  );
}

export async function insertTopic(
  em: EntityManager,
  owner: string | null,
  values: TopicValues,
): Promise<TopicRecord> {
  const row = await queryOne<TopicRecord>(
    em,
    sql`insert into topics as t (user_id, name, match_mode, pattern, case_sensitive)
        values (${owner}::uuid, ${values.name}, ${values.matchMode}, ${values.pattern}, ${values.caseSensitive})
        returning ${TOPIC_COLUMNS}`,
  );
  if (!row) throw new Error('insert into topics returned no row');
  return row;
}

export async function updateTopicRow(
  em: EntityManager,
  owner: string | null,
  id: string,
  values: TopicValues,
): Promise<TopicRecord | undefined> {
  return queryOne<TopicRecord>(
    em,
    sql`update topics t
        set name = ${values.name}, match_mode = ${values.matchMode}, pattern = ${values.pattern},
            case_sensitive = ${values.caseSensitive}, updated_at = now()
        where t.id = ${id}::uuid and ${ownedBy('t.user_id', owner)}
        returning ${TOPIC_COLUMNS}`,
  );
}

/** Deletes the topic; its document links cascade. False when it was not there. */
export async function deleteTopicRow(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  const deleted = await execute(
    em,
    sql`delete from topics t where t.id = ${id}::uuid and ${ownedBy('t.user_id', owner)}`,
  );
  return deleted > 0;
}
