import type { EntityManager } from '@mikro-orm/postgresql';
import { DOCUMENT_COLUMNS, toDocumentRecord, type DocumentRecord } from './documents.repository.ts';
import { execute, join, ownedBy, query, queryOne, sql, uuidArray, type Sql } from './sql.ts';

// Writes to documents and their hand-set topics. The `lock…`/`…Exist` reads are meant to
// run inside the edit's transaction: they take the row locks that keep what they saw true
// until commit.

/** Locks the document row for the edit; false when it is not in the vault. */
export async function lockDocument(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  const row = await queryOne<{ id: string }>(
    em,
    sql`select d.id from documents d where d.id = ${id}::uuid and ${ownedBy('d.user_id', owner)} for update`,
  );
  return row !== undefined;
}

/** `for key share`: the folder cannot be deleted before the edit commits. */
export async function folderExists(em: EntityManager, owner: string | null, id: string): Promise<boolean> {
  const row = await queryOne<{ id: string }>(
    em,
    sql`select f.id from folders f where f.id = ${id}::uuid and ${ownedBy('f.user_id', owner)} for key share`,
  );
  return row !== undefined;
}

/** The ids among `ids` that are topics of the vault, locked against deletion until commit. */
export async function existingTopicIds(
  em: EntityManager,
  owner: string | null,
  ids: readonly string[],
): Promise<Set<string>> {
  const rows = await query<{ id: string }>(
    em,
    sql`select t.id from topics t
        where t.id = any(${uuidArray(ids)}) and ${ownedBy('t.user_id', owner)} for key share`,
  );
  return new Set(rows.map((row) => row.id));
}

/**
 * Makes `topicIds` the document's MANUAL topics. Manual rows for other topics go; rows the
 * classifier set (RULE/AUTO) for other topics stay; a classifier row for a chosen topic is
 * taken over (a person's choice outranks a guess, and the key is one row per topic).
 */
export async function replaceManualTopics(
  em: EntityManager,
  documentId: string,
  topicIds: readonly string[],
): Promise<void> {
  await execute(
    em,
    sql`delete from document_topics
                where document_id = ${documentId}::uuid and source = 'MANUAL'
                  and topic_id <> all(${uuidArray(topicIds)})`,
  );
  if (topicIds.length === 0) return;
  await execute(
    em,
    sql`insert into document_topics (document_id, topic_id, confidence, source)
                select ${documentId}::uuid, topic_id, 1, 'MANUAL' from unnest(${uuidArray(topicIds)}) as topic_id
                on conflict (document_id, topic_id) do update
                  set confidence = 1, source = 'MANUAL', created_at = now()
                  where document_topics.source <> 'MANUAL'`,
  );
}

export interface DocumentChanges {
  title?: string;
  /** null takes the document out of its folder. */
  folderId?: string | null;
  topicIds?: string[];
}

/** Applies title/folder and always bumps updated_at (a topic change is a change too). */
export async function updateDocumentRow(
  em: EntityManager,
  owner: string | null,
  id: string,
  changes: DocumentChanges,
): Promise<DocumentRecord | undefined> {
  const assignments: Sql[] = [sql`updated_at = now()`];
  if (changes.title !== undefined) assignments.push(sql`title = ${changes.title}`);
  if (changes.folderId !== undefined) assignments.push(sql`folder_id = ${changes.folderId}::uuid`);
  const row = await queryOne<Parameters<typeof toDocumentRecord>[0]>(
    em,
    sql`update documents d set ${join(assignments, ', ')}
        where d.id = ${id}::uuid and ${ownedBy('d.user_id', owner)}
        returning ${DOCUMENT_COLUMNS}`,
  );
  return row && toDocumentRecord(row);
}

export interface DeletedDocument {
  readonly objectKey: string;
  /** Its thumbnail's object, when one was made. */
  readonly thumbnailKey: string | null;
  /** What the document took of its owner's quota. */
  readonly sizeBytes: number;
}

/** Deletes the row (its topic links cascade) and says where its bytes (and thumbnail) were and how many. */
export async function deleteDocumentRow(
  em: EntityManager,
  owner: string | null,
  id: string,
): Promise<DeletedDocument | undefined> {
  return queryOne<DeletedDocument>(
    em,
    sql`delete from documents d where d.id = ${id}::uuid and ${ownedBy('d.user_id', owner)}
        returning d.object_key as "objectKey", d.thumbnail_key as "thumbnailKey",
                  d.size_bytes::float8 as "sizeBytes"`,
  );
}
